#include "core/ops/activation.h"

#include <cmath>

#include "core/ops/unary.h"

namespace descent {

Variable relu(const Variable& x) {
  return detail::unary(
      x, "relu", [](float v) { return v > 0.0f ? v : 0.0f; },
      [](float v, float) { return v > 0.0f ? 1.0f : 0.0f; });
}

Variable leaky_relu(const Variable& x, float slope) {
  return detail::unary(
      x, "leaky_relu", [slope](float v) { return v > 0.0f ? v : slope * v; },
      [slope](float v, float) { return v > 0.0f ? 1.0f : slope; });
}

Variable sigmoid(const Variable& x) {
  // exp of a non-positive argument only, so neither branch overflows.
  return detail::unary(
      x, "sigmoid",
      [](float v) {
        if (v >= 0.0f) return 1.0f / (1.0f + std::exp(-v));
        const float e = std::exp(v);
        return e / (1.0f + e);
      },
      [](float, float y) { return y * (1.0f - y); });
}

Variable tanh(const Variable& x) {
  return detail::unary(
      x, "tanh", [](float v) { return std::tanh(v); }, [](float, float y) { return 1.0f - y * y; });
}

}  // namespace descent
