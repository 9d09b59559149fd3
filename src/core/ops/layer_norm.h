// Layer normalization over the last axis of x (…, D), as one fused operation: a kernel for the
// forward and one for the float32 backward, instead of a dozen element-wise passes with full-size
// temporaries. The gradient rule stays written in differentiable operations, so second
// derivatives (Hessian-vector products) are exact.
#pragma once

#include "core/variable.h"

namespace descent {

// y = (x − mean) / √(variance + ε) · γ + β, the mean and the biased variance of each row of D
// values. gamma and beta (D values) may be undefined: γ = 1, β = 0. Throws InvalidArgument for x
// without a last axis holding values, parameters of another shape, or ε <= 0.
Variable layer_norm(const Variable& x, const Variable& gamma, const Variable& beta, double epsilon);

}  // namespace descent
