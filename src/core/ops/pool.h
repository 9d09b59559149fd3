// Max pooling over spatial windows.
#pragma once

#include "core/variable.h"

namespace descent {

// x (batch, channels, h, w) -> (batch, channels, (h - size) / stride + 1, ...); stride defaults to
// size (stride <= 0). The gradient goes to the arg-max of each window.
Variable max_pool2d(const Variable& x, int size, int stride = 0);

}  // namespace descent
