#include "loss/mean_absolute_error.h"

#include <cmath>

#include "core/deterministic_sum.h"
#include "loss/fused_loss.h"
#include "loss/target_checks.h"

namespace descent {

void MeanAbsoluteError::validate_targets(const Shape& y_pred, const Tensor& y_true) const {
  check_same_size("mean_absolute_error", y_pred, y_true);
}

Variable MeanAbsoluteError::operator()(const Variable& y_pred, const Tensor& y_true) const {
  validate_targets(y_pred.shape(), y_true);
  const std::int64_t n = y_pred.value().size();
  const float* p = y_pred.value().data();
  const float* t = y_true.data();
  Tensor dpred;
  if (loss_needs_grad(y_pred)) dpred.resize(y_pred.shape());
  float* d = dpred.empty() ? nullptr : dpred.data();
  const float step = 1.0f / static_cast<float>(n);
  const double total = deterministic_sum(n, 1, [&](std::int64_t i) {
    const double diff = static_cast<double>(p[i]) - t[i];
    if (d) d[i] = diff > 0.0 ? step : (diff < 0.0 ? -step : 0.0f);
    return std::abs(diff);
  });
  // sign(p − t) / n is piecewise constant: as a graph, a constant (its derivative is 0).
  LossGradient gradient;
  if (loss_needs_gradient_graph(y_pred))
    gradient = [targets = y_true](const Variable& p) {
      Tensor sign(p.shape(), p.dtype());
      const double step = 1.0 / static_cast<double>(p.value().size());
      visit_dtype(p.dtype(), [&](auto zero) {
        using T = decltype(zero);
        for (std::int64_t i = 0; i < sign.size(); ++i) {
          const double diff = p.value().at(i) - targets.at(i);
          sign.data<T>()[i] = static_cast<T>(diff > 0.0 ? step : (diff < 0.0 ? -step : 0.0));
        }
      });
      return Variable(std::move(sign));
    };
  return loss_node(y_pred, total / static_cast<double>(n), std::move(dpred), "mean_absolute_error",
                   std::move(gradient));
}

}  // namespace descent
