#include "core/variable.h"

#include <atomic>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {
thread_local bool grad_mode = true;
// Numbers the backward passes, so that each can mark the nodes it visited.
std::atomic<std::uint64_t> backward_passes{0};
}  // namespace

bool grad_enabled() {
  return grad_mode;
}
NoGradGuard::NoGradGuard() : previous_(grad_mode) {
  grad_mode = false;
}
NoGradGuard::~NoGradGuard() {
  grad_mode = previous_;
}

Tensor& Node::grad_for_write(bool& accumulate) {
  accumulate = grad_written;
  if (!grad_written) {
    grad.resize(value.shape());
    grad_written = true;
  }
  return grad;
}

Variable::Variable(Tensor value, bool requires_grad) : node_(std::make_shared<Node>()) {
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

Variable Variable::result(const Shape& shape, std::initializer_list<Variable> inputs,
                          const char* op) {
  Variable out;
  out.node_ = std::make_shared<Node>();
  out.node_->value.resize(shape);
  out.node_->op = op;
  if (!grad_mode) return out;
  for (const Variable& input : inputs) {
    if (input.requires_grad()) {
      out.node_->requires_grad = true;
      break;
    }
  }
  if (out.node_->requires_grad) {
    out.node_->inputs.reserve(inputs.size());
    for (const Variable& input : inputs)
      if (input.defined()) out.node_->inputs.push_back(input.node_);
  }
  return out;
}

Tensor& Variable::grad() {
  if (!node_->grad_written) {
    node_->grad.resize(node_->value.shape());
    node_->grad.fill(0.0f);
    node_->grad_written = true;
  }
  return node_->grad;
}

void Variable::zero_grad() {
  node_->grad_written = false;
}

void Variable::set_backward(std::function<void(Node& self)> backward) {
  node_->backward = std::move(backward);
}

void Variable::backward() {
  if (value().size() != 1)
    throw InvalidArgument(fmt::format("backward() without a seed needs one value, got shape {}",
                                      shape_string(shape())));
  backward(Tensor(shape(), 1.0f));
}

void Variable::backward(const Tensor& seed) {
  if (!requires_grad())
    throw InvalidArgument("backward() on a value that does not require gradients");
  if (seed.shape() != shape())
    throw InvalidArgument(fmt::format("backward seed of shape {} for a value of shape {}",
                                      shape_string(seed.shape()), shape_string(shape())));

  // Post-order depth-first walk with an explicit stack gives a topological order.
  const std::uint64_t pass = ++backward_passes;
  std::vector<Node*> order;
  std::vector<std::pair<Node*, std::size_t>> stack{{node_.get(), 0}};
  node_->visited_by = pass;
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      Node* child = node->inputs[next++].get();
      if (child->requires_grad && child->visited_by != pass) {
        child->visited_by = pass;
        stack.emplace_back(child, 0);
      }
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }

  bool accumulate = false;
  Tensor& g = node_->grad_for_write(accumulate);
  for (std::int64_t i = 0; i < g.size(); ++i)
    g[i] = accumulate ? g[i] + seed[i] : seed[i];

  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = *it;
    if (node->backward && node->grad_written) node->backward(*node);
  }

  // Free the graph: interior nodes drop their inputs, rules and gradients; leaves keep theirs.
  for (Node* node : order) {
    if (node->is_leaf()) continue;
    node->inputs.clear();
    node->backward = nullptr;
    node->grad = Tensor();
    node->grad_written = false;
  }
}

}  // namespace descent
