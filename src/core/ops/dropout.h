// Inverted dropout (Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks from
// Overfitting", JMLR 2014): in training, zero each value with probability `rate` and scale the
// rest by 1 / (1 - rate), so the expected value is unchanged and inference needs no rescaling.
#pragma once

#include "core/random.h"
#include "core/variable.h"

namespace descent {

// rate in [0, 1), else InvalidArgument. When !training or rate == 0 this returns x itself and
// draws nothing from rng; otherwise it draws one uniform per value from rng, in order, so the same
// rng state gives the same mask. The gradient is dy · mask (0 or 1 / (1 - rate)).
Variable dropout(const Variable& x, float rate, bool training, Rng& rng);

}  // namespace descent
