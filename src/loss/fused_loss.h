// Building blocks for a loss written as one fused node: the clipping bounds of probabilities, and
// the node itself (core/ops/loss_node.h).
#pragma once

#include "core/ops/loss_node.h"

namespace descent {

// Clipping bound of probability losses, as in Keras (backend.epsilon()): probabilities are clipped
// to [kProbabilityEpsilon, 1 - kProbabilityEpsilon] (both rounded to float) before the logarithm.
inline constexpr float kProbabilityEpsilon = 1e-7f;
inline constexpr float kProbabilityMax = 1.0f - kProbabilityEpsilon;

}  // namespace descent
