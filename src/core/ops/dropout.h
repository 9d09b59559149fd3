// Inverted dropout: in training, zero each value with probability `rate` and scale the rest by
// 1 / (1 - rate); at inference, the identity.
#pragma once

#include "core/random.h"
#include "core/variable.h"

namespace descent {

Variable dropout(const Variable& x, float rate, bool training, Rng& rng);

}  // namespace descent
