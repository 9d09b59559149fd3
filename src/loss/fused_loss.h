// Building blocks for a loss written as one fused node: the clipping bounds of probabilities, and
// the node that holds the mean loss and the gradient w.r.t. the predictions, computed during the
// forward pass so that backward is one scaled copy into the predictions' gradient.
#pragma once

#include "core/tensor.h"
#include "core/variable.h"

namespace descent {

// Clipping bound of probability losses, as in Keras (backend.epsilon()): probabilities are clipped
// to [kProbabilityEpsilon, 1 - kProbabilityEpsilon] (both rounded to float) before the logarithm.
inline constexpr float kProbabilityEpsilon = 1e-7f;
inline constexpr float kProbabilityMax = 1.0f - kProbabilityEpsilon;

// True when a loss of y_pred will take part in a backward pass (so its gradient must be computed).
bool loss_needs_grad(const Variable& y_pred);

// The loss node: value `mean` (shape (1,)); when `dpred` is not empty (see loss_needs_grad) it is
// d mean / d y_pred, and backward adds upstream · dpred into y_pred's gradient.
Variable loss_node(const Variable& y_pred, double mean, Tensor dpred, const char* op);

}  // namespace descent
