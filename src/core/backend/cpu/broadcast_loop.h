// Internal to the cpu kernels: the loop of an element-wise operation whose operands broadcast to
// its result (NumPy's rule, any axes). Each operand is read through its broadcast strides
// (core/ops/broadcast.h); rows of the last axis are split across threads, each element written
// by one thread, so the result does not depend on the thread count.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/parallel.h"
#include "core/tensor.h"

namespace descent::detail {

template <std::size_t N>
using OperandStrides = std::array<std::vector<std::int64_t>, N>;

// Calls f(i, offsets) for every element i of a result of `shape`, offsets[k] the element of
// operand k that it reads.
template <std::size_t N, class F>
void for_each_broadcast_element(const Shape& shape, const OperandStrides<N>& strides, F f) {
  const std::int64_t size = shape_size(shape);
  if (size == 0) return;
  const std::size_t rank = shape.size();
  const std::int64_t cols = rank == 0 ? 1 : shape.back();
  std::array<std::int64_t, N> col_stride{};
  for (std::size_t k = 0; k < N; ++k)
    col_stride[k] = rank == 0 ? 0 : strides[k].back();
  parallel_for(size / cols, size, [&](std::int64_t row) {
    std::array<std::int64_t, N> offset{};
    std::int64_t rest = row;
    for (std::size_t axis = rank == 0 ? 0 : rank - 1; axis-- > 0;) {  // all but the last
      const std::int64_t index = rest % shape[axis];
      rest /= shape[axis];
      for (std::size_t k = 0; k < N; ++k)
        offset[k] += index * strides[k][axis];
    }
    for (std::int64_t j = 0; j < cols; ++j) {
      f(row * cols + j, offset);
      for (std::size_t k = 0; k < N; ++k)
        offset[k] += col_stride[k];
    }
  });
}

}  // namespace descent::detail
