// The copy kernel family: values moved between tensors in blocks (concat), a strided view made
// dense (Variable::value, the backward of views), and dropout's mask. The graph side is
// core/ops/shape.cpp, core/ops/concat.cpp and core/ops/dropout.cpp; the kernels are
// core/backend/{cpu,reference}/copy.cpp.
#pragma once

#include <cstdint>

#include "core/backend/grad_out.h"
#include "core/random.h"
#include "core/tensor.h"

namespace descent {

// Rows of a tensor's values: row r starts at element offset + r · stride.
struct Rows {
  std::int64_t offset = 0;
  std::int64_t stride = 0;
};

class CopyKernels {
 public:
  virtual ~CopyKernels() = default;

  // Copies `count` values of each of `rows` rows from `from` to `to` (same dtype).
  virtual void copy_rows(const Tensor& from, Rows from_rows, Tensor& to, Rows to_rows,
                         std::int64_t rows, std::int64_t count) const = 0;

  // Writes the values of `view` (any strides) in row-major order of its shape into the dense
  // tensor `out` of the same shape and dtype, assigning or adding.
  virtual void gather(const Tensor& view, GradOut out) const = 0;

  // Dropout's mask (float32): value i is 0 where the i-th draw of rng.uniform() is below `rate`,
  // else `scale`. Every backend draws one value per element in index order, so a seed gives the
  // same mask on every device.
  virtual void dropout_mask(Rng& rng, float rate, float scale, Tensor& mask) const = 0;
  // y = x · mask, and its backward dx (+)= dy · mask (mask float32, x and y float32).
  virtual void apply_mask(const Tensor& x, const Tensor& mask, Tensor& y) const = 0;
  virtual void apply_mask_grad(const Tensor& dy, const Tensor& mask, GradOut dx) const = 0;
};

}  // namespace descent
