// Shape changes that keep the values: reshape and flatten.
#pragma once

#include "core/variable.h"

namespace descent {

// Same values, new shape of equal size; one dimension may be -1 (inferred).
Variable reshape(const Variable& x, const Shape& shape);
// (batch, d1, d2, ...) -> (batch, d1*d2*...).
Variable flatten(const Variable& x);

}  // namespace descent
