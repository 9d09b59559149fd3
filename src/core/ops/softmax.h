// Softmax and log-softmax over the last axis, computed stably (the row maximum is subtracted
// before exponentiating): softmax(x)_j = e^(x_j - m) / Σ_k e^(x_k - m), m = max_k x_k, and
// log_softmax(x)_j = x_j - m - log Σ_k e^(x_k - m). Any rank >= 1; other axes are rows.
#pragma once

#include "core/variable.h"

namespace descent {

Variable softmax(const Variable& x);
Variable log_softmax(const Variable& x);

}  // namespace descent
