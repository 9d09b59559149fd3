// 2-D convolution (cross-correlation, as in Keras and PyTorch) by im2col + GEMM
// (Chellapilla, Puri & Simard, "High Performance Convolutional Neural Networks for Document
// Processing", 2006): the receptive fields of a batch chunk are unrolled into the columns of a
// (in_channels·kh·kw, batch·out_h·out_w) matrix, so the forward pass is one sgemm W · col, and the
// backward pass two: dW = dY · colᵀ and dcol = Wᵀ · dY, folded back onto the input by col2im.
// That is the cpu backend's way in float64 (core/backend/cpu/conv.cpp); its column buffers are
// pooled Tensors, so a steady-state step allocates nothing. float32 goes to oneDNN's direct
// convolutions (core/backend/cpu/onednn_conv.h).
#pragma once

#include <cstdint>
#include <optional>

#include "core/variable.h"

namespace descent {

// Zeros on each side of the input, as PyTorch's F.pad(x, (left, right, top, bottom)).
struct Conv2dPads {
  int top = 0, bottom = 0, left = 0, right = 0;
};

struct Conv2dGeometry {
  int stride = 1;   // >= 1, both spatial axes
  int padding = 0;  // >= 0 zeros on each side, both spatial axes
  // Or each side's own zeros (all >= 0), for Keras's "same" padding where they differ; `padding`
  // must then be 0.
  std::optional<Conv2dPads> pads = {};
};

// x (batch, in_channels, height, width), w (out_channels, in_channels, kh, kw), b (out_channels,)
// or undefined -> (batch, out_channels, out_h, out_w) with out_h = (in_h + top + bottom - kh) /
// stride + 1 (rounded down; top = bottom = padding without `pads`), and out_w alike. Shapes that
// do not fit throw InvalidArgument naming both shapes.
Variable conv2d(const Variable& x, const Variable& w, const Variable& b,
                Conv2dGeometry geometry = {});

// Keras/TensorFlow's padding "same" for an (in_h, in_w) input: on each axis out = ceil(in /
// stride), and the total max((out - 1)·stride + k - in, 0) is split with the smaller half before
// (top, left) and the odd zero after (bottom, right). (PyTorch's padding="same", stride 1 only,
// puts the odd zero before.)
Conv2dPads same_padding(std::int64_t in_h, std::int64_t in_w, std::int64_t kh, std::int64_t kw,
                        int stride);

}  // namespace descent
