#include "core/ops/loss_node.h"

#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/parallel.h"

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
  if (y.dtype() == DType::f32)
    y.value()[0] = static_cast<float>(mean);
  else
    y.value().data<double>()[0] = mean;
  if (!y.needs_grad()) return y;
  auto constant = std::make_shared<const Tensor>(std::move(dpred));
  if (constant->size() > 0) {
    y.set_backward([constant](Node& self) {
      const Tensor& d = *constant;
      Node& in = *self.inputs[0];
      const float g = self.grad[0];
      bool accumulate = false;
      Tensor& dx = in.grad_for_write(accumulate);
      const std::int64_t n = d.size();
      const float* dv = d.data();
      float* out = dx.data();
      parallel_for(n, n,
                   [=](std::int64_t i) { out[i] = accumulate ? out[i] + g * dv[i] : g * dv[i]; });
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
