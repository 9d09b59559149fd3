// Element-wise arithmetic with row broadcasting, and element-wise functions.
#pragma once

#include "core/variable.h"

namespace descent {

// a (op) b where b has a's shape, a's trailing dimensions (broadcast over leading rows, e.g. a bias
// of shape (n,) against (batch, n)), or a single value. The gradient of b is reduced accordingly.
Variable add(const Variable& a, const Variable& b);
Variable sub(const Variable& a, const Variable& b);
Variable mul(const Variable& a, const Variable& b);
Variable div(const Variable& a, const Variable& b);
Variable add(const Variable& a, float b);
Variable mul(const Variable& a, float b);

Variable exp(const Variable& x);
// Natural logarithm; inputs must be positive (losses clip before calling it).
Variable log(const Variable& x);
Variable square(const Variable& x);
Variable abs(const Variable& x);
// Clamps to [low, high]; the gradient is zero outside.
Variable clip(const Variable& x, float low, float high);

}  // namespace descent
