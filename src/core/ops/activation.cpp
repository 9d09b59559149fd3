#include "core/ops/activation.h"

#include <cmath>

#include "core/ops/unary.h"

namespace descent {

Variable relu(const Variable& x) {
  return detail::unary(
      x, "relu", [](float v) { return v > 0.0f ? v : 0.0f; },
      [](float v, float) { return detail::select(v > 0.0f, 1.0f, 0.0f); });
}

Variable leaky_relu(const Variable& x, float slope) {
  return detail::unary(
      x, "leaky_relu", [slope](float v) { return v * detail::select(v > 0.0f, 1.0f, slope); },
      [slope](float v, float) { return detail::select(v > 0.0f, 1.0f, slope); });
}

Variable sigmoid(const Variable& x) {
  // e = exp(-|x|) never overflows: σ(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) below.
  return detail::unary(
      x, "sigmoid",
      [](float v) {
        const float e = std::exp(-std::abs(v));
        return detail::select(v >= 0.0f, 1.0f, e) / (1.0f + e);
      },
      [](float, float y) { return y * (1.0f - y); });
}

Variable tanh(const Variable& x) {
  return detail::unary(
      x, "tanh", [](float v) { return std::tanh(v); }, [](float, float y) { return 1.0f - y * y; });
}

}  // namespace descent
