#include "core/ops/activation.h"

#include <cmath>
#include <numbers>

#include "core/ops/elementwise.h"
#include "core/ops/unary.h"

namespace descent {

Variable relu(const Variable& x) {
  const UnaryFunction f{UnaryOp::relu};
  return detail::unary(x, "relu", f, detail::piecewise_rule(f));
}

Variable leaky_relu(const Variable& x, float slope) {
  const UnaryFunction f{UnaryOp::leaky_relu, slope};
  return detail::unary(x, "leaky_relu", f, detail::piecewise_rule(f));
}

Variable sigmoid(const Variable& x) {
  return detail::unary(x, "sigmoid", {UnaryOp::sigmoid},
                       [](const Variable&, const Variable& y, const Variable& grad) {
                         return mul(grad, mul(y, add(mul(y, -1.0f), 1.0f)));  // σ(1 − σ)
                       });
}

Variable tanh(const Variable& x) {
  return detail::unary(x, "tanh", {UnaryOp::tanh},
                       [](const Variable&, const Variable& y, const Variable& grad) {
                         return mul(grad, add(mul(square(y), -1.0f), 1.0f));  // 1 − tanh²
                       });
}

Variable softplus(const Variable& x) {
  return detail::unary(x, "softplus", {UnaryOp::softplus},
                       [](const Variable& x, const Variable&, const Variable& grad) {
                         return mul(grad, sigmoid(x));
                       });
}

Variable gelu(const Variable& x, GeluApproximation approximate) {
  if (approximate == GeluApproximation::tanh)
    return detail::unary(x, "gelu_tanh", {UnaryOp::gelu_tanh},
                         [](const Variable& x, const Variable&, const Variable& grad) {
                           // With u = k (x + c x³) and t = tanh u: gelu' = (1 + t) / 2 + x (1 − t²)
                           // u' / 2.
                           constexpr double k = 0.7978845608028654;  // √(2/π)
                           constexpr double c = 0.044715;
                           const Variable x2 = square(x);
                           const Variable t = tanh(mul(add(x, mul(mul(x2, x), c)), k));
                           const Variable du = mul(add(mul(x2, 3.0 * c), 1.0), k);
                           const Variable dt = add(mul(square(t), -1.0), 1.0);
                           return mul(grad,
                                      add(mul(add(t, 1.0), 0.5), mul(mul(mul(x, dt), du), 0.5)));
                         });
  return detail::unary(
      x, "gelu", {UnaryOp::gelu}, [](const Variable& x, const Variable&, const Variable& grad) {
        // gelu' = Φ(x) + x φ(x), Φ(x) = (1 + erf(x/√2)) / 2.
        const Variable cdf = mul(add(erf(mul(x, std::numbers::sqrt2 / 2)), 1.0), 0.5);
        const Variable pdf =
            mul(exp(mul(square(x), -0.5)), 1.0 / std::sqrt(2.0 * std::numbers::pi));
        return mul(grad, add(cdf, mul(x, pdf)));
      });
}

Variable silu(const Variable& x) {
  return detail::unary(x, "silu", {UnaryOp::silu},
                       [](const Variable& x, const Variable&, const Variable& grad) {
                         const Variable s = sigmoid(x);
                         return mul(grad, mul(s, add(mul(x, add(mul(s, -1.0), 1.0)), 1.0)));
                       });
}

}  // namespace descent
