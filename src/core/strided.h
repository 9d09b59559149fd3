// The layout of a tensor's values in its storage: a stride per axis, in elements. Row-major
// (contiguous) strides are what kernels read; views (Tensor::permute, narrow, expand) have others.
#pragma once

#include <cstdint>
#include <vector>

namespace descent {

using Strides = std::vector<std::int64_t>;

// The strides of a dense row-major array of this shape.
inline Strides contiguous_strides(const std::vector<std::int64_t>& shape) {
  Strides strides(shape.size());
  std::int64_t step = 1;
  for (std::size_t k = shape.size(); k-- > 0;) {
    strides[k] = step;
    step *= shape[k];
  }
  return strides;
}

// Calls f(i, offset) for every element of a strided layout in row-major order: i counts the
// elements from 0, offset is where element i sits relative to the first. Odometer over the outer
// axes, a plain loop over the last.
template <class F>
void for_each_strided(const std::vector<std::int64_t>& shape, const Strides& strides, F f) {
  const std::size_t rank = shape.size();
  std::int64_t total = 1;
  for (std::int64_t d : shape)
    total *= d;
  if (total == 0) return;
  if (rank == 0) {
    f(std::int64_t{0}, std::int64_t{0});
    return;
  }
  const std::int64_t inner = shape[rank - 1], inner_stride = strides[rank - 1];
  std::vector<std::int64_t> index(rank, 0);
  std::int64_t base = 0;
  for (std::int64_t i = 0; i < total; i += inner) {
    for (std::int64_t j = 0; j < inner; ++j)
      f(i + j, base + j * inner_stride);
    // Carry into the outer axes.
    for (std::size_t k = rank - 1; k-- > 0;) {
      base += strides[k];
      if (++index[k] < shape[k]) break;
      base -= strides[k] * shape[k];
      index[k] = 0;
    }
  }
}

}  // namespace descent
