// Internal to the cpu kernels: the loop of an element-wise operation whose operands broadcast to
// its result (NumPy's rule, any axes). Each operand is read through its broadcast strides
// (core/ops/broadcast.h); rows of the last axis are split across threads, each element written
// by one thread, so the result does not depend on the thread count.
#pragma once

#include <array>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "core/parallel.h"
#include "core/tensor.h"

namespace descent::detail {

template <std::size_t N>
using OperandStrides = std::array<std::vector<std::int64_t>, N>;

// Calls f(first, offset, step, cols) for every row of the last axis of a result of `shape`: the
// row's elements are first .. first + cols - 1, and element first + j reads element
// offset[k] + j · step[k] of operand k. The caller's loop over j has plain strides (0 or 1 in
// practice), which GCC versions for unit stride and vectorises.
template <std::size_t N, class F>
void for_each_broadcast_row(const Shape& shape, const OperandStrides<N>& strides, F f) {
  const std::int64_t size = shape_size(shape);
  if (size == 0) return;
  const std::size_t rank = shape.size();
  const std::int64_t cols = rank == 0 ? 1 : shape.back();
  std::array<std::int64_t, N> step{};
  for (std::size_t k = 0; k < N; ++k)
    step[k] = rank == 0 ? 0 : strides[k].back();
  parallel_for(size / cols, size, [&](std::int64_t row) {
    std::array<std::int64_t, N> offset{};
    std::int64_t rest = row;
    for (std::size_t axis = rank == 0 ? 0 : rank - 1; axis-- > 0;) {  // all but the last
      const std::int64_t index = rest % shape[axis];
      rest /= shape[axis];
      for (std::size_t k = 0; k < N; ++k)
        offset[k] += index * strides[k][axis];
    }
    f(row * cols, offset, step, cols);
  });
}

// Calls f(s) with s the row step as a compile-time 0 or 1 (a broadcast or a contiguous operand:
// the loop then reads a scalar or a plain vector, where a runtime step would gather), or as the
// runtime value otherwise.
template <class F>
void with_step(std::int64_t step, F f) {
  if (step == 0) return f(std::integral_constant<std::int64_t, 0>{});
  if (step == 1) return f(std::integral_constant<std::int64_t, 1>{});
  f(step);
}

}  // namespace descent::detail
