// Element-wise arithmetic with broadcasting, and element-wise functions.
#pragma once

#include "core/variable.h"

namespace descent {

// a (op) b with NumPy broadcasting: shapes aligned on the right, each axis equal or 1 in one of
// them (or missing), the result of the shape both broadcast to; an operand's gradient is summed
// over the axes it was repeated along. Shapes that do not broadcast throw InvalidArgument naming
// both. The common cases (b of a's shape, of a's trailing dimensions such as a bias (n,) against
// (batch, n), or a single value of shape (1,) or ()) keep a's shape and have a fast float32
// backward; so a of shape () with b of shape (1,) gives shape (), where NumPy gives (1,).
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
// a + b and a · b with a constant b, rounded to a's dtype.
Variable add(const Variable& a, double b);
Variable mul(const Variable& a, double b);

Variable exp(const Variable& x);
// The error function; erf' = 2/√π · e^(-x²).
Variable erf(const Variable& x);
// Natural logarithm; inputs must be positive (losses clip before calling it).
Variable log(const Variable& x);
Variable square(const Variable& x);
// |x|; the gradient is sign(x), 0 at 0 (as in PyTorch).
Variable abs(const Variable& x);
// Clamps to [low, high] (low <= high, else InvalidArgument); the gradient is 1 on [low, high] and
// zero outside, as in PyTorch's clamp.
Variable clip(const Variable& x, float low, float high);

}  // namespace descent
