// Reductions to a single value.
#pragma once

#include "core/variable.h"

namespace descent {

// Sum of all values, shape (1,).
Variable sum(const Variable& x);
// Mean of all values, shape (1,).
Variable mean(const Variable& x);

}  // namespace descent
