// Cross-entropy of one row of probabilities the way Keras computes it (categorical and sparse
// categorical crossentropy with from_logits = false): the row y is first normalised to sum 1, then
// clipped, then the log is taken,
//   p = y / Σy,  q = clip(p, 1e-7, 1 - 1e-7),  loss = -Σ_j t_j log q_j.
// Normalising is what makes a Dense(2, sigmoid) output usable with sparse labels, as in the Keras
// tutorials. With a_j = -t_j / q_j where p_j was not clipped (0 where it was), the gradient is
//   d loss / d y_k = (a_k - Σ_j a_j p_j) / Σy.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"
#include "loss/fused_loss.h"

namespace descent {

// Loss of the row `y` (`classes` values) for target weights target(j); when `d` is not null,
// writes scale · d loss / d y into d[0, classes).
template <class Target>
double normalized_crossentropy_row(const float* y, std::int64_t classes, const Target& target,
                                   float* d, double scale) {
  constexpr double lo = kProbabilityEpsilon, hi = kProbabilityMax;
  double sum = 0.0;
  for (std::int64_t j = 0; j < classes; ++j)
    sum += y[j];
  const double inv_sum = 1.0 / sum;
  double loss = 0.0, a_dot_p = 0.0;
  for (std::int64_t j = 0; j < classes; ++j) {
    const double t = target(j);
    if (t == 0.0) continue;
    const double p = y[j] * inv_sum, q = std::clamp(p, lo, hi);
    loss -= t * std::log(q);
    if (p == q) a_dot_p -= t / q * p;
  }
  if (d) {
    for (std::int64_t j = 0; j < classes; ++j) {
      const double t = target(j), p = y[j] * inv_sum, q = std::clamp(p, lo, hi);
      const double a = (t != 0.0 && p == q) ? -t / q : 0.0;
      d[j] = static_cast<float>((a - a_dot_p) * inv_sum * scale);
    }
  }
  return loss;
}

// The gradient above as a graph of y (for second derivatives): with S = Σy per row, p = y / S and
// a = -t / p · scale where p was not clipped (the mask and t are constants of the graph),
//   d loss / d y = (a - Σ_j a_j p_j) / S.
// `target(r, j)` gives row r's weight of class j.
template <class Target>
LossGradient normalized_crossentropy_gradient(Target target, double scale) {
  return [target, scale](const Variable& y) {
    const Shape& shape = y.shape();
    const std::int64_t rows = shape[0], classes = shape[1];
    const Shape row_sums{rows, 1};
    const Variable sums = broadcast_to(sum_to(y, row_sums), shape);
    const Variable p = div(y, sums);
    Tensor weights(shape, y.dtype());  // -t · scale where p is not clipped, else 0
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t j = 0; j < classes; ++j) {
        const double pj = p.value().at(r * classes + j), t = target(r, j);
        const bool inside = pj >= kProbabilityEpsilon && pj <= kProbabilityMax;
        visit_dtype(y.dtype(), [&](auto zero) {
          using T = decltype(zero);
          weights.data<T>()[r * classes + j] = static_cast<T>(inside ? -t * scale : 0.0);
        });
      }
    const Variable a = div(Variable(std::move(weights)), p);
    return div(sub(a, broadcast_to(sum_to(mul(a, p), row_sums), shape)), sums);
  };
}

}  // namespace descent
