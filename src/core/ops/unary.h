// Internal to the ops: the graph side of an element-wise function y = f(x). The backend of the
// output's device computes f, f' and the float32 backward dx = dy · f'(x)
// (core/backend/elementwise_kernels.h); `rule(x, y, dy)` gives dx with differentiable operations.
#pragma once

#include <vector>

#include "core/backend/backend.h"
#include "core/ops/elementwise.h"
#include "core/variable.h"

namespace descent::detail {

// The gradient rule of a function whose derivative is piecewise constant (relu, abs, clip): f'
// enters the graph as a constant, exact wherever f is differentiable (f'' is 0 there).
inline auto piecewise_rule(UnaryFunction f) {
  return [f](const Variable& x, const Variable& y, const Variable& grad) {
    Tensor d = Tensor::zeros_like(x.value());
    backend_of(d).elementwise.unary_derivative(f, x.value(), y.value(), d);
    return mul(grad, Variable(std::move(d)));
  };
}

template <class Rule>
Variable unary(const Variable& x, const char* op, UnaryFunction f, Rule rule) {
  Variable y = Variable::result(x.shape(), {x}, op);
  backend_of(y.value()).elementwise.unary(f, x.value(), y.value());
  if (!y.needs_grad()) return y;
  if (x.dtype() == DType::f32)
    y.set_backward([f](Node& self) {
      Node& in = *self.inputs[0];
      if (!in.requires_grad) return;
      backend_of(self.value)
          .elementwise.unary_grad(f, in.value, self.value, self.grad, in.grad_out());
    });
  y.set_grad_rule([rule](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    return {rule(self.input(0), self, grad)};
  });
  return y;
}

}  // namespace descent::detail
