// Element-wise arithmetic with row broadcasting, and element-wise functions.
#pragma once

#include "core/variable.h"

namespace descent {

// a (op) b where b has a's shape, a's trailing dimensions (broadcast over leading rows, e.g. a bias
// of shape (n,) against (batch, n), or (c, h, w) against (batch, c, h, w)), or a single value
// (shape (1,) or ()). The result has a's shape; b's gradient is summed over the rows it was
// broadcast to. Any other pair of shapes throws InvalidArgument.
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
// a + b and a · b with a constant b, rounded to a's dtype.
Variable add(const Variable& a, double b);
Variable mul(const Variable& a, double b);

Variable exp(const Variable& x);
// Natural logarithm; inputs must be positive (losses clip before calling it).
Variable log(const Variable& x);
Variable square(const Variable& x);
// |x|; the gradient is sign(x), 0 at 0 (as in PyTorch).
Variable abs(const Variable& x);
// Clamps to [low, high] (low <= high, else InvalidArgument); the gradient is 1 on [low, high] and
// zero outside, as in PyTorch's clamp.
Variable clip(const Variable& x, float low, float high);

}  // namespace descent
