// Internal to the ops: the shared shape of an element-wise function y = f(x) with its backward
// dx = dy · f'(x, y). The functions are template arguments, so each op compiles to a plain loop
// (OpenMP above kParallelGrain) with no per-element indirect call.
#pragma once

#include <bit>
#include <cstdint>

#include "core/parallel.h"
#include "core/variable.h"

namespace descent::detail {

// keep ? a : b as bit operations. GCC keeps a ?: whose arm holds a floating-point operation (or
// feeds a product) as a branch, which blocks vectorization and mispredicts on signed data; this
// form compiles to a compare and masks.
inline float select(bool keep, float a, float b) {
  const std::uint32_t mask = 0u - static_cast<std::uint32_t>(keep);
  return std::bit_cast<float>((std::bit_cast<std::uint32_t>(a) & mask) |
                              (std::bit_cast<std::uint32_t>(b) & ~mask));
}

// `forward(x)` gives y; `derivative(x, y)` gives dy/dx at that element.
template <class Forward, class Derivative>
Variable unary(const Variable& x, const char* op, Forward forward, Derivative derivative) {
  Variable y = Variable::result(x.shape(), {x}, op);
  const std::int64_t n = x.value().size();
  const float* xv = x.value().data();
  float* yv = y.value().data();
  parallel_for(n, n, [=](std::int64_t i) { yv[i] = forward(xv[i]); });
  if (y.needs_grad()) {
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
  return y;
}

}  // namespace descent::detail
