#include "core/autograd.h"

#include <memory>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/ops/reduce.h"

namespace descent {
namespace {

// The nodes that lead to `output` and need gradients, inputs before the nodes made from them.
std::vector<std::shared_ptr<Node>> topological_order(const std::shared_ptr<Node>& output) {
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_map<Node*, bool> seen{{output.get(), true}};
  std::vector<std::pair<std::shared_ptr<Node>, std::size_t>> stack{{output, 0}};
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const std::shared_ptr<Node>& child = node->inputs[next++];
      if (child->requires_grad && seen.emplace(child.get(), true).second)
        stack.emplace_back(child, 0);
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

// Sets grad mode for the walk and restores it after.
class GradModeScope {
 public:
  explicit GradModeScope(bool record) {
    if (!record) guard_ = std::make_unique<NoGradGuard>();
  }

 private:
  std::unique_ptr<NoGradGuard> guard_;
};

}  // namespace

std::vector<Variable> grad(const Variable& output, const std::vector<Variable>& inputs,
                           bool create_graph) {
  if (!output.requires_grad()) throw InvalidArgument("grad: the output does not require gradients");
  if (output.value().size() != 1)
    throw InvalidArgument(fmt::format("grad: the output must hold one value, got shape {}",
                                      shape_string(output.shape())));
  GradModeScope mode(create_graph && grad_enabled());

  std::unordered_map<Node*, Variable> grads;
  grads[output.node()] = Variable(Tensor(output.shape(), output.dtype(), 1.0));
  const std::vector<std::shared_ptr<Node>> order = topological_order(output.shared_node());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const std::shared_ptr<Node>& node = *it;
    if (node->is_leaf()) continue;
    const auto found = grads.find(node.get());
    if (found == grads.end()) continue;
    if (!node->grad_rule)
      throw InvalidArgument(fmt::format("grad: {} has no derivative rule", node->op));
    const std::vector<Variable> input_grads = node->grad_rule(Variable(node), found->second);
    for (std::size_t i = 0; i < input_grads.size() && i < node->inputs.size(); ++i) {
      Node* input = node->inputs[i].get();
      if (!input_grads[i].defined() || !input->requires_grad) continue;
      // The one place where contributions meet: a value used twice gets the sum.
      auto [slot, fresh] = grads.try_emplace(input, input_grads[i]);
      if (!fresh) slot->second = add(slot->second, input_grads[i]);
    }
  }

  std::vector<Variable> result;
  result.reserve(inputs.size());
  for (const Variable& input : inputs) {
    const auto found = grads.find(input.node());
    result.push_back(found == grads.end() ? Variable() : found->second);
  }
  return result;
}

std::vector<Tensor> hvp(const std::vector<Variable>& gradients, const std::vector<Variable>& params,
                        const std::vector<Tensor>& v) {
  if (gradients.size() != params.size() || v.size() != params.size())
    throw InvalidArgument(fmt::format("hvp: {} gradients and {} vectors for {} parameters",
                                      gradients.size(), v.size(), params.size()));
  // ∇L · v, whose gradient is H·v.
  Variable dot;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (v[i].shape() != params[i].shape() || v[i].dtype() != params[i].dtype())
      throw InvalidArgument(fmt::format("hvp: vector {} has shape {} ({}), its parameter {} ({})",
                                        i, shape_string(v[i].shape()), dtype_name(v[i].dtype()),
                                        shape_string(params[i].shape()),
                                        dtype_name(params[i].dtype())));
    if (!gradients[i].defined() || !gradients[i].requires_grad()) continue;
    const Variable term = sum(mul(gradients[i], Variable(v[i])));
    dot = dot.defined() ? add(dot, term) : term;
  }
  std::vector<Tensor> products;
  products.reserve(params.size());
  const std::vector<Variable> second =
      dot.defined() ? grad(dot, params, false) : std::vector<Variable>(params.size());
  for (std::size_t i = 0; i < params.size(); ++i)
    products.push_back(second[i].defined() ? second[i].value()
                                           : Tensor(params[i].shape(), params[i].dtype(), 0.0));
  return products;
}

std::vector<Tensor> hvp(const Variable& loss, const std::vector<Variable>& params,
                        const std::vector<Tensor>& v) {
  return hvp(grad(loss, params, true), params, v);
}

}  // namespace descent
