#include "core/variable.h"

#include <atomic>
#include <utility>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"

namespace descent {
namespace {
thread_local bool grad_mode = true;
thread_local bool record_grad_rules = true;
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

bool grad_rules_recorded() {
  return record_grad_rules;
}
RawBackwardOnly::RawBackwardOnly() : previous_(record_grad_rules) {
  record_grad_rules = false;
}
RawBackwardOnly::~RawBackwardOnly() {
  record_grad_rules = previous_;
}

void add_into_grad(Node& node, const Tensor& contribution) {
  backend_of(node.value).elementwise.accumulate(contribution, node.grad_out());
}

namespace {

// A node without a raw backward (a float64 operation): its GradRule, evaluated without recording.
void run_grad_rule(Node& node) {
  NoGradGuard no_grad;
  std::shared_ptr<Node> self(std::shared_ptr<Node>{}, &node);  // a non-owning handle
  const std::vector<Variable> grads = node.grad_rule(Variable(self), Variable(Tensor(node.grad)));
  for (std::size_t i = 0; i < grads.size() && i < node.inputs.size(); ++i)
    if (grads[i].defined() && node.inputs[i]->requires_grad)
      add_into_grad(*node.inputs[i], grads[i].value());
}

}  // namespace

Tensor& Node::grad_for_write(bool& accumulate) {
  accumulate = grad_written;
  if (!grad_written) {
    grad.resize(value.shape(), value.dtype(), value.device());
    grad_written = true;
  }
  return grad;
}

GradOut Node::grad_out() {
  bool accumulate = false;
  Tensor& g = grad_for_write(accumulate);
  return {g, accumulate};
}

Variable::Variable(Tensor value, bool requires_grad) : node_(std::make_shared<Node>()) {
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

Variable Variable::result(const Shape& shape, std::initializer_list<Variable> inputs,
                          const char* op) {
  return result(shape, std::span<const Variable>(inputs.begin(), inputs.size()), op);
}

Variable Variable::result(const Shape& shape, std::span<const Variable> inputs, const char* op) {
  DType dtype = DType::f32;
  Device device = default_device();
  const Variable* first = nullptr;
  for (const Variable& input : inputs) {
    if (!input.defined()) continue;
    if (first == nullptr) {
      first = &input;
      dtype = input.dtype();
      device = input.value().device();
    } else if (input.dtype() != dtype) {
      throw InvalidArgument(fmt::format("{}: inputs of dtypes {} and {}", op, dtype_name(dtype),
                                        dtype_name(input.dtype())));
    } else if (input.value().device() != device) {
      throw InvalidArgument(fmt::format("{}: inputs on devices {} and {}", op, device_name(device),
                                        device_name(input.value().device())));
    }
  }
  Variable out;
  out.node_ = std::make_shared<Node>();
  out.node_->value.resize(shape, dtype, device);
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

Variable Variable::view_result(Tensor view, const Variable& input, const char* op) {
  Variable out;
  out.node_ = std::make_shared<Node>();
  out.node_->value = std::move(view);
  out.node_->op = op;
  if (grad_mode && input.requires_grad()) {
    out.node_->requires_grad = true;
    out.node_->inputs.push_back(input.node_);
  }
  return out;
}

void Variable::make_contiguous() const {
  Tensor& stored = node_->value;
  Tensor dense;
  dense.resize(stored.shape(), stored.dtype(), stored.device());
  backend_of(stored).copy.gather(stored, {dense, false});
  stored = std::move(dense);
}

const Tensor& Variable::grad() const {
  if (!has_grad())
    throw InvalidArgument(fmt::format(
        "grad(): the {} of shape {} has no gradient (none written since the last zero_grad(), "
        "as PyTorch's p.grad is None); check has_grad()",
        node_->op, shape_string(shape())));
  return node_->grad;
}

Tensor& Variable::mutable_grad() {
  bool accumulate = false;
  Tensor& g = node_->grad_for_write(accumulate);
  if (!accumulate) g.fill(0.0);
  return g;
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
  backward(Tensor(shape(), dtype(), 1.0));
}

void Variable::backward(const Tensor& seed) {
  if (!requires_grad())
    throw InvalidArgument("backward() on a value that does not require gradients");
  if (seed.shape() != shape() || seed.dtype() != dtype())
    throw InvalidArgument(fmt::format("backward seed of shape {} ({}) for a value of shape {} ({})",
                                      shape_string(seed.shape()), dtype_name(seed.dtype()),
                                      shape_string(shape()), dtype_name(dtype())));

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

  add_into_grad(*node_, seed);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = *it;
    if (!node->grad_written) continue;
    if (node->backward) {
      node->backward(*node);
    } else if (node->grad_rule) {
      run_grad_rule(*node);
    }
  }

  // Free the graph: interior nodes drop their inputs, rules and gradients; leaves keep theirs.
  for (Node* node : order) {
    if (node->is_leaf()) continue;
    node->inputs.clear();
    node->backward = nullptr;
    node->grad_rule = nullptr;
    node->grad = Tensor();
    node->grad_written = false;
  }
}

}  // namespace descent
