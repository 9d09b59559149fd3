// Matrix products through CBLAS sgemm, and the fused dense node x·W + b.
#pragma once

#include "core/variable.h"

namespace descent {

// (m, k) · (k, n) -> (m, n).
Variable matmul(const Variable& a, const Variable& b);
// x (batch, in) · W (in, out) + b (out,), as one node. `b` may be undefined (no bias).
Variable dense(const Variable& x, const Variable& w, const Variable& b);

}  // namespace descent
