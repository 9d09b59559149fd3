#include "core/ops/elementwise.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/unary.h"

namespace descent {
namespace {

// The fast path: b's shape is a's, a suffix of a's, or a single value, so b repeats along a's
// leading rows and the result has a's shape.
bool repeats_along_rows(const Shape& a, const Shape& b) {
  const bool single = shape_size(b) == 1 && b.size() <= 1;
  const bool suffix = b.size() <= a.size() && std::equal(b.rbegin(), b.rend(), a.rbegin());
  return single || suffix;
}

template <BinaryOp kOp>
void binary_backward(Node& self) {
  Node& a = *self.inputs[0];
  Node& b = *self.inputs[1];
  const ElementwiseKernels& kernels = backend_of(self.value).elementwise;
  if (a.requires_grad) kernels.binary_rows_grad_a(kOp, self.grad, b.value, a.grad_out());
  if (b.requires_grad) kernels.binary_rows_grad_b(kOp, self.grad, a.value, b.value, b.grad_out());
}

// The gradients with differentiable operations, each summed over the axes its operand was
// repeated along (sum_to returns a gradient of the operand's shape as it is).
template <BinaryOp kOp>
std::vector<Variable> binary_rule(const Variable& self, const Variable& grad) {
  const Variable a = self.input(0), b = self.input(1);
  Variable da, db;
  if (a.requires_grad()) {
    if constexpr (kOp == BinaryOp::add || kOp == BinaryOp::sub)
      da = sum_to(grad, a.shape());
    else if constexpr (kOp == BinaryOp::mul)
      da = sum_to(mul(grad, b), a.shape());
    else
      da = sum_to(div(grad, b), a.shape());
  }
  if (b.requires_grad()) {
    if constexpr (kOp == BinaryOp::add)
      db = sum_to(grad, b.shape());
    else if constexpr (kOp == BinaryOp::sub)
      db = mul(sum_to(grad, b.shape()), -1.0f);
    else if constexpr (kOp == BinaryOp::mul)
      db = sum_to(mul(grad, a), b.shape());
    else  // d(a / b)/db = −a / b²
      db = mul(sum_to(div(div(mul(grad, a), b), b), b.shape()), -1.0f);
  }
  return {da, db};
}

// Both operands may repeat along any axes (NumPy's rule). No raw float32 backward: the rule's
// sum_to serves both dtypes.
template <BinaryOp kOp>
Variable broadcast_binary(const Variable& a, const Variable& b, const char* op) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  Variable y = Variable::result(shape, {a, b}, op);
  backend_of(y.value()).elementwise.binary_broadcast(kOp, a.value(), b.value(), y.value());
  if (y.needs_grad()) y.set_grad_rule(binary_rule<kOp>);
  return y;
}

template <BinaryOp kOp>
Variable binary(const Variable& a, const Variable& b, const char* op) {
  if (!repeats_along_rows(a.shape(), b.shape())) return broadcast_binary<kOp>(a, b, op);
  Variable y = Variable::result(a.shape(), {a, b}, op);
  backend_of(y.value()).elementwise.binary_rows(kOp, a.value(), b.value(), y.value());
  if (y.needs_grad()) {
    if (y.dtype() == DType::f32) y.set_backward(binary_backward<kOp>);
    y.set_grad_rule(binary_rule<kOp>);
  }
  return y;
}

}  // namespace

Variable add(const Variable& a, const Variable& b) {
  return binary<BinaryOp::add>(a, b, "add");
}

Variable sub(const Variable& a, const Variable& b) {
  return binary<BinaryOp::sub>(a, b, "sub");
}

Variable mul(const Variable& a, const Variable& b) {
  return binary<BinaryOp::mul>(a, b, "mul");
}

Variable div(const Variable& a, const Variable& b) {
  return binary<BinaryOp::div>(a, b, "div");
}

Variable add(const Variable& a, double b) {
  return detail::unary(a, "add_scalar", {UnaryOp::add_scalar, b},
                       [](const Variable&, const Variable&, const Variable& grad) { return grad; });
}

Variable mul(const Variable& a, double b) {
  return detail::unary(
      a, "mul_scalar", {UnaryOp::mul_scalar, b},
      [b](const Variable&, const Variable&, const Variable& grad) { return mul(grad, b); });
}

Variable exp(const Variable& x) {
  return detail::unary(
      x, "exp", {UnaryOp::exp},
      [](const Variable&, const Variable& y, const Variable& grad) { return mul(grad, y); });
}

Variable erf(const Variable& x) {
  return detail::unary(
      x, "erf", {UnaryOp::erf}, [](const Variable& x, const Variable&, const Variable& grad) {
        return mul(grad, mul(exp(mul(square(x), -1.0)), 2.0 / std::sqrt(std::numbers::pi)));
      });
}

Variable log(const Variable& x) {
  return detail::unary(
      x, "log", {UnaryOp::log},
      [](const Variable& x, const Variable&, const Variable& grad) { return div(grad, x); });
}

Variable square(const Variable& x) {
  return detail::unary(x, "square", {UnaryOp::square},
                       [](const Variable& x, const Variable&, const Variable& grad) {
                         return mul(grad, mul(x, 2.0f));
                       });
}

Variable abs(const Variable& x) {
  const UnaryFunction f{UnaryOp::abs};
  return detail::unary(x, "abs", f, detail::piecewise_rule(f));
}

Variable clip(const Variable& x, float low, float high) {
  if (!(low <= high))
    throw InvalidArgument(fmt::format("clip: low {} is above high {}", low, high));
  const UnaryFunction f{UnaryOp::clip, low, high};
  return detail::unary(x, "clip", f, detail::piecewise_rule(f));
}

}  // namespace descent
