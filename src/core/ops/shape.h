// Shape changes that keep the values: reshape and flatten. Both copy the values into the result
// (a Tensor owns its storage); the gradient is copied back under the input's shape.
#pragma once

#include "core/variable.h"

namespace descent {

// Same values, new shape of equal size; one dimension may be -1 (inferred). A size mismatch, a
// second -1 or another negative dimension throws InvalidArgument.
Variable reshape(const Variable& x, const Shape& shape);
// (batch, d1, d2, ...) -> (batch, d1·d2·...); a rank-1 input gives (batch, 1).
Variable flatten(const Variable& x);

}  // namespace descent
