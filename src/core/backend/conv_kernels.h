// The convolution kernel family: 2-D convolution (cross-correlation) forward, its input and weight
// gradients as operations of their own (the GradRules' building blocks), and the fused backward
// the training step runs. The graph side is core/ops/conv2d.cpp; the kernels are
// core/backend/{cpu,reference}/conv.cpp.
#pragma once

#include <cstdint>

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

// The sizes of one convolution: x (batch, in_c, in_h, in_w), w (out_c, in_c, kh, kw),
// y (batch, out_c, out_h, out_w), the same stride on both spatial axes. pad_top and pad_left are
// the zeros before the first row and column; those after the last show only in out_h and out_w.
struct Conv2dDims {
  std::int64_t batch, in_c, in_h, in_w;
  std::int64_t out_c, kh, kw;
  std::int64_t out_h, out_w;
  std::int64_t stride, pad_top, pad_left;
  std::int64_t rows() const { return in_c * kh * kw; }   // K: one receptive field's length
  std::int64_t pixels() const { return out_h * out_w; }  // P: output pixels per image
};

class ConvKernels {
 public:
  virtual ~ConvKernels() = default;

  // y = conv(x, w) + bias (one value per output channel; null: none).
  virtual void conv2d(const Conv2dDims& g, const Tensor& x, const Tensor& w, const Tensor* bias,
                      Tensor& y) const = 0;
  // dx = d⟨dy, conv(x, w)⟩/dx, which depends on w only.
  virtual void conv2d_input_grad(const Conv2dDims& g, const Tensor& dy, const Tensor& w,
                                 Tensor& dx) const = 0;
  // dw = d⟨dy, conv(x, w)⟩/dw, which depends on x only.
  virtual void conv2d_weight_grad(const Conv2dDims& g, const Tensor& x, const Tensor& dy,
                                  Tensor& dw) const = 0;
  // The training step's backward: the gradients of x, w and the bias from dy in one pass, each
  // written only where its GradOut is given (not null).
  virtual void conv2d_backward(const Conv2dDims& g, const Tensor& x, const Tensor& w,
                               const Tensor& dy, GradOut* dx, GradOut* dw, GradOut* db) const = 0;
};

}  // namespace descent
