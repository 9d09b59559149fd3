// The pooling kernel family: max and average pooling over square windows, their backwards, and the
// scatter and gather that max pooling's gradient rules are made of. The graph side is
// core/ops/pool.cpp; the kernels are core/backend/{cpu,reference}/pool.cpp.
#pragma once

#include <cstdint>

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

// The windows of one pooling: `planes` (batch · channels) planes of (in_h, in_w) values, each
// pooled into (out_h, out_w) windows of size × size, `stride` apart, without padding.
struct PoolWindow {
  std::int64_t planes, in_h, in_w, out_h, out_w, size, stride;
};

// Every max kernel finds each window's maximum in x the same way: the first in row-major order on
// ties, and NaN wins (as in PyTorch).
class PoolKernels {
 public:
  virtual ~PoolKernels() = default;

  // y = each window's maximum.
  virtual void max_pool2d(const PoolWindow& g, const Tensor& x, Tensor& y) const = 0;
  // dx (+)= each value of dy added at its window's maximum: the training step's backward.
  virtual void max_pool2d_grad(const PoolWindow& g, const Tensor& x, const Tensor& dy,
                               GradOut dx) const = 0;
  // y (x's shape) = each value of v (pooled shape) added at its window's maximum: the gradient
  // as an operation.
  virtual void max_pool2d_scatter(const PoolWindow& g, const Tensor& x, const Tensor& v,
                                  Tensor& y) const = 0;
  // y (pooled shape) = the value of v (x's shape) at each window's maximum: scatter's adjoint.
  virtual void max_pool2d_gather(const PoolWindow& g, const Tensor& x, const Tensor& v,
                                 Tensor& y) const = 0;

  // y = each window's mean.
  virtual void avg_pool2d(const PoolWindow& g, const Tensor& x, Tensor& y) const = 0;
  // dx (+)= each value of dy shared equally by the size² inputs of its window. Average pooling is
  // linear, so this is both the training step's backward and (assigning) its gradient as an
  // operation, whose own gradient is avg_pool2d again.
  virtual void avg_pool2d_grad(const PoolWindow& g, const Tensor& dy, GradOut dx) const = 0;
};

}  // namespace descent
