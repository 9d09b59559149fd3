// Matrix products through GEMM, and the fused dense node x·W + b.
#pragma once

#include "core/variable.h"

namespace descent {

// op(a) · op(b) with op the transpose where asked: (m, k) · (k, n) -> (m, n) after transposing.
Variable matmul(const Variable& a, const Variable& b, bool trans_a = false, bool trans_b = false);
// x (batch, in) · W (in, out) + b (out,), as one node. `b` may be undefined (no bias).
Variable dense(const Variable& x, const Variable& w, const Variable& b);

}  // namespace descent
