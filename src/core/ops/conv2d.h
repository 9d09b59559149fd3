// 2-D convolution (cross-correlation, as in Keras and PyTorch) by im2col + GEMM.
#pragma once

#include "core/variable.h"

namespace descent {

struct Conv2dGeometry {
  int stride = 1;
  int padding = 0;  // zeros on each side, both spatial axes
};

// x (batch, in_channels, height, width), w (out_channels, in_channels, kh, kw), b (out_channels,)
// or undefined -> (batch, out_channels, out_h, out_w) with out = (in + 2·padding - k) / stride + 1.
Variable conv2d(const Variable& x, const Variable& w, const Variable& b,
                Conv2dGeometry geometry = {});

}  // namespace descent
