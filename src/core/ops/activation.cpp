#include "core/ops/activation.h"

#include <cmath>

#include "core/ops/elementwise.h"
#include "core/ops/unary.h"

namespace descent {

Variable relu(const Variable& x) {
  const auto derivative = [](auto v, auto) { return detail::select(v > 0.0f, 1.0f, 0.0f); };
  return detail::unary(
      x, "relu", [](auto v) { return v > 0.0f ? v : decltype(v){0}; }, derivative,
      detail::piecewise_rule(derivative));
}

Variable leaky_relu(const Variable& x, float slope) {
  const auto derivative = [slope](auto v, auto) { return detail::select(v > 0.0f, 1.0f, slope); };
  return detail::unary(
      x, "leaky_relu", [slope](auto v) { return v * detail::select(v > 0.0f, 1.0f, slope); },
      derivative, detail::piecewise_rule(derivative));
}

Variable sigmoid(const Variable& x) {
  // e = exp(-|x|) never overflows: σ(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) below.
  return detail::unary(
      x, "sigmoid",
      [](auto v) {
        const auto e = std::exp(-std::abs(v));
        return detail::select(v >= 0.0f, decltype(v){1}, e) / (1.0f + e);
      },
      [](auto, auto y) { return y * (1.0f - y); },
      [](const Variable&, const Variable& y, const Variable& grad) {
        return mul(grad, mul(y, add(mul(y, -1.0f), 1.0f)));  // σ(1 − σ)
      });
}

Variable tanh(const Variable& x) {
  return detail::unary(
      x, "tanh", [](auto v) { return std::tanh(v); }, [](auto, auto y) { return 1.0f - y * y; },
      [](const Variable&, const Variable& y, const Variable& grad) {
        return mul(grad, add(mul(square(y), -1.0f), 1.0f));  // 1 − tanh²
      });
}

Variable softplus(const Variable& x) {
  // log(1 + eˣ) = max(x, 0) + log1p(e^-|x|): no overflow, and exact in the tails.
  return detail::unary(
      x, "softplus",
      [](auto v) { return (v > 0.0f ? v : decltype(v){0}) + std::log1p(std::exp(-std::abs(v))); },
      [](auto v, auto) {
        const auto e = std::exp(-std::abs(v));
        return detail::select(v >= 0.0f, decltype(v){1}, e) / (1.0f + e);
      },
      [](const Variable& x, const Variable&, const Variable& grad) {
        return mul(grad, sigmoid(x));
      });
}

}  // namespace descent
