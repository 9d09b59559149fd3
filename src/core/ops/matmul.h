// Matrix products through GEMM, and the fused dense node x·W + b.
#pragma once

#include "core/variable.h"

namespace descent {

// op(a) · op(b) with op the transpose where asked: (m, k) · (k, n) -> (m, n) after transposing.
// Operands of rank 3 or more are stacks of matrices in their last two axes (the transposes apply
// to those), and the axes before them broadcast (NumPy's rule), as torch.matmul does for operands
// of rank >= 2: (b, h, t, d) · (b, h, t, d)ᵀ -> (b, h, t, t); (b, t, k) · (k, n) -> (b, t, n).
// Shapes that do not fit throw InvalidArgument naming both.
Variable matmul(const Variable& a, const Variable& b, bool trans_a = false, bool trans_b = false);
// x (batch, in) · W (in, out) + b (out,), as one node. `b` may be undefined (no bias).
Variable dense(const Variable& x, const Variable& w, const Variable& b);

}  // namespace descent
