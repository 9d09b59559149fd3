#include "core/ops/activation.h"

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

}  // namespace descent
