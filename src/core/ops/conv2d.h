// 2-D convolution (cross-correlation, as in Keras and PyTorch) by im2col + GEMM
// (Chellapilla, Puri & Simard, "High Performance Convolutional Neural Networks for Document
// Processing", 2006): the receptive fields of a batch chunk are unrolled into the columns of a
// (in_channels·kh·kw, batch·out_h·out_w) matrix, so the forward pass is one sgemm W · col, and the
// backward pass two: dW = dY · colᵀ and dcol = Wᵀ · dY, folded back onto the input by col2im.
// That is the cpu backend's way (core/backend/cpu/conv.cpp); its column buffers are pooled
// Tensors, so a steady-state step allocates nothing.
#pragma once

#include "core/variable.h"

namespace descent {

struct Conv2dGeometry {
  int stride = 1;   // >= 1, both spatial axes
  int padding = 0;  // >= 0 zeros on each side, both spatial axes
};

// x (batch, in_channels, height, width), w (out_channels, in_channels, kh, kw), b (out_channels,)
// or undefined -> (batch, out_channels, out_h, out_w) with out = (in + 2·padding - k) / stride + 1
// (rounded down). Shapes that do not fit throw InvalidArgument naming both shapes.
Variable conv2d(const Variable& x, const Variable& w, const Variable& b,
                Conv2dGeometry geometry = {});

}  // namespace descent
