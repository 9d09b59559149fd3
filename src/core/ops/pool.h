// Max and average pooling over square spatial windows.
#pragma once

#include "core/variable.h"

namespace descent {

// x (batch, channels, h, w) -> (batch, channels, (h - size) / stride + 1, (w - size) / stride + 1)
// (rounded down, no padding); stride defaults to size (stride <= 0). The gradient goes to the
// arg-max of each window, the first one in row-major order on ties (as in PyTorch); overlapping
// windows (stride < size) add their gradients. A window larger than the input, or size < 1,
// throws InvalidArgument.
Variable max_pool2d(const Variable& x, int size, int stride = 0);

// The mean of each window, with max_pool2d's windows and output shape (torch's avg_pool2d without
// padding, Keras's AveragePooling2D with padding "valid"). Each output's gradient is shared equally
// by its window; overlapping windows add.
Variable avg_pool2d(const Variable& x, int size, int stride = 0);

}  // namespace descent
