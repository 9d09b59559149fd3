#include "loss/mean_squared_error.h"

#include "core/deterministic_sum.h"
#include "core/ops/elementwise.h"
#include "loss/fused_loss.h"
#include "loss/target_checks.h"

namespace descent {

void MeanSquaredError::validate_targets(const Shape& y_pred, const Tensor& y_true) const {
  check_same_size("mean_squared_error", y_pred, y_true);
}

Variable MeanSquaredError::operator()(const Variable& y_pred, const Tensor& y_true) const {
  validate_targets(y_pred.shape(), y_true);
  const std::int64_t n = y_pred.value().size();
  const float* p = y_pred.value().data();
  const float* t = y_true.data();
  Tensor dpred;
  if (loss_needs_grad(y_pred)) dpred.resize(y_pred.shape());
  float* d = dpred.empty() ? nullptr : dpred.data();
  const double scale = 2.0 / static_cast<double>(n);
  const double total = deterministic_sum(n, 1, [&](std::int64_t i) {
    const double diff = static_cast<double>(p[i]) - t[i];
    if (d) d[i] = static_cast<float>(scale * diff);
    return diff * diff;
  });
  // 2 (p − t) / n as a graph, for second derivatives.
  LossGradient gradient;
  if (loss_needs_gradient_graph(y_pred))
    gradient = [target = y_true, scale](const Variable& p) {
      Tensor t = target.to(p.dtype());
      t.reshape(p.shape());
      return mul(sub(p, Variable(std::move(t))), scale);
    };
  return loss_node(y_pred, total / static_cast<double>(n), std::move(dpred), "mean_squared_error",
                   std::move(gradient));
}

}  // namespace descent
