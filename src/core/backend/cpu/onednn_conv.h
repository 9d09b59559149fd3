// float32 convolutions by oneDNN's convolution primitives (cpu/onednn_conv.cpp), which the cpu
// convolution kernels (cpu/conv.cpp) use in place of im2col + GEMM: its direct kernels read the
// image in place, so there is no column matrix to build, fault in and reorder. Every buffer is
// dense NCHW / OIHW, as the tensors are; each function assigns its outputs. float64 has no oneDNN
// convolution and stays on im2col.
#pragma once

#include "core/backend/conv_kernels.h"

namespace descent::cpu {

// y = conv(x, w) + bias (null: none).
void onednn_conv2d(const Conv2dDims& g, const float* x, const float* w, const float* bias,
                   float* y);
// dx = d⟨dy, conv(x, w)⟩/dx.
void onednn_conv2d_input_grad(const Conv2dDims& g, const float* dy, const float* w, float* dx);
// dw = d⟨dy, conv(x, w)⟩/dw, and the bias gradient db (null: not wanted) in the same pass.
void onednn_conv2d_weight_grad(const Conv2dDims& g, const float* x, const float* dy, float* dw,
                               float* db);
// The training step's backward: dx (null: not wanted) and dw with db (dw null: neither), dy
// brought into oneDNN's layout once for both.
void onednn_conv2d_backward(const Conv2dDims& g, const float* x, const float* w, const float* dy,
                            float* dx, float* dw, float* db);

}  // namespace descent::cpu
