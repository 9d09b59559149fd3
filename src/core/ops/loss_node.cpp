#include "core/ops/loss_node.h"

#include "core/parallel.h"

namespace descent {

bool loss_needs_grad(const Variable& y_pred) {
  return grad_enabled() && y_pred.requires_grad();
}

Variable loss_node(const Variable& y_pred, double mean, Tensor dpred, const char* op) {
  Variable y = Variable::result({1}, {y_pred}, op);
  y.value()[0] = static_cast<float>(mean);
  if (!y.needs_grad()) return y;
  y.set_backward([d = std::move(dpred)](Node& self) {
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
  return y;
}

}  // namespace descent
