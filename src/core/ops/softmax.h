// Softmax and log-softmax over one axis (the last by default), computed stably (the row maximum
// is subtracted before exponentiating): softmax(x)_j = e^(x_j - m) / Σ_k e^(x_k - m), m = max_k
// x_k, and log_softmax(x)_j = x_j - m - log Σ_k e^(x_k - m). Any rank >= 1; the other axes index
// independent rows. The axis must hold values; a bad axis throws InvalidArgument naming it and
// the shape.
#pragma once

#include "core/variable.h"

namespace descent {

Variable softmax(const Variable& x);
Variable log_softmax(const Variable& x);
// Over `axis` (negative counts from the end). The last axis is the call above.
Variable softmax(const Variable& x, int axis);
Variable log_softmax(const Variable& x, int axis);
// Softmax over the last axis of scores (…, queries, keys) in which query t sees only keys s <= t:
// the later keys get weight exactly 0, as softmax(masked_fill(scores, s > t, -inf)) gives them and
// PyTorch's scaled_dot_product_attention(is_causal=True), without the mask's passes. Rank >= 2
// with at least one key.
Variable causal_softmax(const Variable& scores);

}  // namespace descent
