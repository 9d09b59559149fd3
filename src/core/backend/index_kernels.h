// The index kernel family: gathering and scattering slices along an axis, and selecting between
// two tensors by a 0/1 mask. The graph side is core/ops/index.cpp and core/ops/where.cpp; the
// kernels are core/backend/{cpu,reference}/index.cpp.
#pragma once

#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace descent {

// A tensor seen as (outer, size, inner) around the axes being indexed: `size` slices of `inner`
// values each, repeated `outer` times.
struct IndexedAxis {
  std::int64_t outer = 1;
  std::int64_t size = 1;
  std::int64_t inner = 1;
};

class IndexKernels {
 public:
  virtual ~IndexKernels() = default;

  // y[o, i, :] = x[o, index[i], :], with x seen as `axis` and y as (outer, index.size(), inner).
  // Each index is in [0, axis.size) (the graph side checks).
  virtual void index_select(const Tensor& x, std::span<const std::int64_t> index,
                            const IndexedAxis& axis, Tensor& y) const = 0;
  // y = 0, then y[o, index[i], :] += source[o, i, :], with y seen as `axis` and source as
  // (outer, index.size(), inner).
  virtual void scatter_add(const Tensor& source, std::span<const std::int64_t> index,
                           const IndexedAxis& axis, Tensor& y) const = 0;

  // y = condition ? a : b element by element, all three broadcast to y's shape (NumPy's rule);
  // condition holds 0 or 1 in either dtype.
  virtual void where(const Tensor& condition, const Tensor& a, const Tensor& b,
                     Tensor& y) const = 0;
  // mask (rows, cols) = 1 where col <= row + diagonal, else 0.
  virtual void lower_triangular(std::int64_t diagonal, Tensor& mask) const = 0;
};

}  // namespace descent
