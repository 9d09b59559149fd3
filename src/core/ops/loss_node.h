// The node of a loss written as one fused operation: it holds the mean loss and the gradient
// w.r.t. the predictions, computed during the forward pass, so that backward is one scaled copy
// into the predictions' gradient. The fused cross-entropy ops and the losses of the loss layer
// all end in it.
#pragma once

#include "core/tensor.h"
#include "core/variable.h"

namespace descent {

// True when a loss of y_pred will take part in a backward pass (so its gradient must be computed).
bool loss_needs_grad(const Variable& y_pred);

// The loss node: value `mean` (shape (1,)); when `dpred` is not empty (see loss_needs_grad) it is
// d mean / d y_pred, and backward adds upstream · dpred into y_pred's gradient.
Variable loss_node(const Variable& y_pred, double mean, Tensor dpred, const char* op);

}  // namespace descent
