// Batch normalization over axis 1 (channels) of x (N, C) or (N, C, H, W) (any rank >= 2: each
// channel's values are those at every index of the other axes), as fused operations: one kernel
// for the forward, one for the float32 backward, instead of a dozen element-wise passes with
// full-size temporaries. Both keep a differentiable gradient rule, so second derivatives (the
// Hessian-vector products of `descent sharpness --batch-statistics`) stay exact.
#pragma once

#include "core/variable.h"

namespace descent {

// The normalized batch and the statistics it used (C values each, x's dtype; no gradient).
struct BatchNorm {
  Variable y;
  Tensor mean;
  Tensor variance;  // biased: Σ (x − mean)² / M, M = the values per channel
};

// Training mode: y = (x − mean) · γ/√(variance + ε) + β over the batch's own statistics.
// gamma and beta (C values) may be undefined: γ = 1, β = 0. Throws InvalidArgument for a shape
// without channels or values, parameters of another shape, or ε <= 0.
BatchNorm batch_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                     double epsilon);

// y = x · scale_c + shift_c, scale and shift of C values: inference mode's batch normalization,
// with scale = γ/√(running variance + ε) and shift = β − running mean · scale.
Variable channel_affine(const Variable& x, const Variable& scale, const Variable& shift);

}  // namespace descent
