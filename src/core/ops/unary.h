// Internal to the ops: the shared shape of an element-wise function y = f(x) with its backward
// dx = dy · f'(x, y). The functions are template arguments, so each op compiles to a plain loop
// (OpenMP above kParallelGrain) with no per-element indirect call. They take `auto` arguments and
// serve float32 and float64 alike; the raw backward is float32's, float64 differentiates the rule.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/ops/elementwise.h"
#include "core/parallel.h"
#include "core/variable.h"

namespace descent::detail {

// keep ? a : b as bit operations. GCC keeps a ?: whose arm holds a floating-point operation (or
// feeds a product) as a branch, which blocks vectorization and mispredicts on signed data; this
// form compiles to a compare and masks.
template <class A, class B>
auto select(bool keep, A a, B b) {
  using T = std::common_type_t<A, B>;
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  const Bits mask = Bits{0} - static_cast<Bits>(keep);
  return std::bit_cast<T>((std::bit_cast<Bits>(static_cast<T>(a)) & mask) |
                          (std::bit_cast<Bits>(static_cast<T>(b)) & ~mask));
}

// The gradient rule of a function whose derivative is piecewise constant (relu, abs, clip): f'
// enters the graph as a constant, exact wherever f is differentiable (f'' is 0 there).
template <class Derivative>
auto piecewise_rule(Derivative derivative) {
  return [derivative](const Variable& x, const Variable& y, const Variable& grad) {
    Tensor d(x.shape(), x.dtype());
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.value().data<T>();
      const T* yv = y.value().data<T>();
      T* dv = d.data<T>();
      for (std::int64_t i = 0; i < d.size(); ++i)
        dv[i] = static_cast<T>(derivative(xv[i], yv[i]));
    });
    return mul(grad, Variable(std::move(d)));
  };
}

// The float32 raw backward dx (+)= dy · f'(x, y).
template <class Derivative>
void set_unary_backward(Variable& y, Derivative derivative) {
  y.set_backward([derivative](Node& self) {
    Node& in = *self.inputs[0];
    if (!in.requires_grad) return;
    bool accumulate = false;
    Tensor& dx = in.grad_for_write(accumulate);
    const std::int64_t size = dx.size();
    const float* xv = in.value.data();
    const float* yv = self.value.data();
    const float* dy = self.grad.data();
    float* d = dx.data();
    if (accumulate) {
      parallel_for(size, size, [=](std::int64_t i) { d[i] += dy[i] * derivative(xv[i], yv[i]); });
    } else {
      parallel_for(size, size, [=](std::int64_t i) { d[i] = dy[i] * derivative(xv[i], yv[i]); });
    }
  });
}

// `forward(x)` gives y; `derivative(x, y)` gives dy/dx at that element (the float32 backward);
// `rule(x, y, dy)` gives dx with differentiable operations.
template <class Forward, class Derivative, class Rule>
Variable unary(const Variable& x, const char* op, Forward forward, Derivative derivative,
               Rule rule) {
  Variable y = Variable::result(x.shape(), {x}, op);
  const std::int64_t n = x.value().size();
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.value().data<T>();
    T* yv = y.value().data<T>();
    parallel_for(n, n, [=](std::int64_t i) { yv[i] = forward(xv[i]); });
  });
  if (!y.needs_grad()) return y;
  if (x.dtype() == DType::f32) set_unary_backward(y, derivative);
  y.set_grad_rule([rule](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    return {rule(self.input(0), self, grad)};
  });
  return y;
}

}  // namespace descent::detail
