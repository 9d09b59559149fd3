#include "loss/binary_crossentropy.h"

#include <algorithm>
#include <cmath>

#include "core/deterministic_sum.h"
#include "core/ops/activation.h"
#include "core/ops/elementwise.h"
#include "loss/fused_loss.h"
#include "loss/target_checks.h"

namespace descent {

BinaryCrossentropy::BinaryCrossentropy(CrossentropyOptions options)
    : Loss(options.from_logits),
      label_smoothing_(checked_label_smoothing("binary_crossentropy", options)) {}

void BinaryCrossentropy::validate_targets(const Shape& y_pred, const Tensor& y_true) const {
  check_same_size("binary_crossentropy", y_pred, y_true);
  check_unit_interval("binary_crossentropy", y_true);
}

Variable BinaryCrossentropy::operator()(const Variable& y_pred, const Tensor& y_true) const {
  validate_targets(y_pred.shape(), y_true);
  const std::int64_t n = y_pred.value().size();
  const float* p = y_pred.value().data();
  const float* t = y_true.data();
  Tensor dpred;
  if (loss_needs_grad(y_pred)) dpred.resize(y_pred.shape());
  float* d = dpred.empty() ? nullptr : dpred.data();
  const double keep = 1.0 - label_smoothing_, shift = 0.5 * label_smoothing_;
  const double inv_n = 1.0 / static_cast<double>(n);

  double total;
  if (from_logits()) {
    total = deterministic_sum(n, 8, [&](std::int64_t i) {
      const double x = p[i], z = keep * t[i] + shift;
      const double e = std::exp(-std::abs(x));
      // sigmoid(x) - z, from the side where the sigmoid does not round to 0 or 1.
      if (d)
        d[i] =
            static_cast<float>((x >= 0.0 ? (1.0 - z) - e / (1.0 + e) : e / (1.0 + e) - z) * inv_n);
      return std::max(x, 0.0) - x * z + std::log1p(e);
    });
  } else {
    total = deterministic_sum(n, 8, [&](std::int64_t i) {
      const float clipped = std::clamp(p[i], kProbabilityEpsilon, kProbabilityMax);
      const double q = clipped, z = keep * t[i] + shift;
      if (d) d[i] = clipped == p[i] ? static_cast<float>((q - z) / (q * (1.0 - q)) * inv_n) : 0.0f;
      return -(z * std::log(q) + (1.0 - z) * std::log(1.0 - q));
    });
  }
  // The same gradient as a graph of the predictions, for second derivatives; z is a constant.
  LossGradient gradient;
  if (loss_needs_gradient_graph(y_pred))
    gradient = [targets = y_true, keep, shift, inv_n, logits = from_logits()](const Variable& x) {
      Tensor z = targets.to(x.dtype()), unclipped(x.shape(), x.dtype());
      z.reshape(x.shape());
      for (std::int64_t i = 0; i < z.size(); ++i) {
        const double p = x.value().at(i);
        visit_dtype(x.dtype(), [&](auto zero) {
          using T = decltype(zero);
          z.data<T>()[i] = static_cast<T>(keep * z.data<T>()[i] + shift);
          unclipped.data<T>()[i] =
              static_cast<T>(p >= kProbabilityEpsilon && p <= kProbabilityMax ? inv_n : 0.0);
        });
      }
      if (logits) return mul(sub(sigmoid(x), Variable(std::move(z))), inv_n);
      // (q − z) / (q (1 − q)), zero where the probability was clipped.
      const Variable q_one_minus_q = mul(x, add(mul(x, -1.0), 1.0));
      return mul(div(sub(x, Variable(std::move(z))), q_one_minus_q),
                 Variable(std::move(unclipped)));
    };
  return loss_node(y_pred, total * inv_n, std::move(dpred), "binary_crossentropy",
                   std::move(gradient));
}

}  // namespace descent
