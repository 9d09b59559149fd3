// The normalization kernel family: batch normalization over axis 1 of an (N, C, ...) tensor, in
// training (statistics of the batch, and its fused backward) and in inference (a per-channel
// scale and shift, and its backward); layer normalization over the last axis. Each channel's
// values are the N·S elements x[n, c, s], S the product of the axes after 1 (1 for a matrix). The
// graph side is core/ops/batch_norm.cpp and core/ops/layer_norm.cpp; the kernels are
// core/backend/{cpu,reference}/norm.cpp.
#pragma once

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

class NormKernels {
 public:
  virtual ~NormKernels() = default;

  // mean and the biased variance of each channel of x (tensors of C values), and
  // y = (x − mean) · γ/√(variance + ε) + β, γ = 1 without `gamma`, β = 0 without `beta`.
  virtual void batch_norm(const Tensor& x, const Tensor* gamma, const Tensor* beta, double epsilon,
                          Tensor& y, Tensor& mean, Tensor& variance) const = 0;
  // The gradients (+)= of the inputs given dy, from the forward's mean and variance: with
  // x̂ = (x − mean)/√(variance + ε) and M = N·S, dβ = Σ dy, dγ = Σ dy·x̂ and
  // dx = γ/(M·√(variance + ε)) · (M·dy − dβ − x̂·dγ). Null outputs are not wanted.
  virtual void batch_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& mean,
                                   const Tensor& variance, const Tensor* gamma, double epsilon,
                                   GradOut* dx, GradOut* dgamma, GradOut* dbeta) const = 0;

  // Layer normalization over the last axis of x (…, D): per row of D values, its mean and
  // 1/√(variance + ε) (biased variance; tensors of one value per row), and
  // y = (x − mean) · inv_std · γ + β, γ = 1 without `gamma`, β = 0 without `beta` (D values each).
  virtual void layer_norm(const Tensor& x, const Tensor* gamma, const Tensor* beta, double epsilon,
                          Tensor& y, Tensor& mean, Tensor& inv_std) const = 0;
  // The gradients (+)= of the inputs given dy, from the forward's mean and inv_std: with
  // x̂ = (x − mean) · inv_std and g = dy · γ, dx = inv_std · (g − mean(g) − x̂ · mean(g · x̂)) (means
  // over the row), dγ = Σ dy · x̂ and dβ = Σ dy (sums over the rows). Null outputs are not wanted.
  virtual void layer_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& mean,
                                   const Tensor& inv_std, const Tensor* gamma, GradOut* dx,
                                   GradOut* dgamma, GradOut* dbeta) const = 0;

  // y = x · scale_c + shift_c, scale and shift of C values.
  virtual void channel_affine(const Tensor& x, const Tensor& scale, const Tensor& shift,
                              Tensor& y) const = 0;
  // dx (+)= dy · scale_c, dscale (+)= Σ dy · x, dshift (+)= Σ dy (sums over each channel). Null
  // outputs are not wanted.
  virtual void channel_affine_backward(const Tensor& x, const Tensor& dy, const Tensor& scale,
                                       GradOut* dx, GradOut* dscale, GradOut* dshift) const = 0;
};

}  // namespace descent
