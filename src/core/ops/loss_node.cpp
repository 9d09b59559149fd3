#include "core/ops/loss_node.h"

#include <memory>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/elementwise.h"

namespace descent {

bool loss_needs_grad(const Variable& y_pred) {
  return grad_enabled() && y_pred.requires_grad() && y_pred.dtype() == DType::f32;
}

bool loss_needs_gradient_graph(const Variable& y_pred) {
  return grad_enabled() && y_pred.requires_grad() &&
         (y_pred.dtype() != DType::f32 || grad_rules_recorded());
}

Variable loss_node(const Variable& y_pred, double mean, Tensor dpred, const char* op,
                   LossGradient dpred_graph) {
  Variable y = Variable::result({1}, {y_pred}, op);
  y.value().fill(mean);
  if (!y.needs_grad()) return y;
  auto constant = std::make_shared<const Tensor>(std::move(dpred));
  if (constant->size() > 0) {
    y.set_backward([constant](Node& self) {
      Node& in = *self.inputs[0];
      backend_of(self.value).loss.scale_gradient(*constant, self.grad, in.grad_out());
    });
  }
  y.set_grad_rule([op, constant, dpred_graph = std::move(dpred_graph)](
                      const Variable& self, const Variable& grad) -> std::vector<Variable> {
    if (dpred_graph) return {mul(dpred_graph(self.input(0)), grad)};
    // A first derivative can use the values; a recorded one would be wrong to differentiate.
    if (grad_enabled() || constant->size() == 0)
      throw InvalidArgument(fmt::format("{} has no second derivative written out", op));
    return {mul(Variable(*constant), grad)};
  });
  return y;
}

}  // namespace descent
