// The matrix-product kernel family: plain products with either operand transposed, stacks of them
// whose batch axes broadcast, and the fused dense layer x·W + b, each with the backward the
// training step runs. The graph side is core/ops/matmul.cpp; the kernels are
// core/backend/{cpu,reference}/gemm.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

// A stack of products op(a_t) · op(b_t) of (m, k) by (k, n) matrices, the last two axes of each
// operand holding its matrices. Batch axes broadcast, so products may share a matrix: product t
// reads matrix a_matrix[t] of a's a_matrices and b_matrix[t] of b's b_matrices.
struct BatchedProduct {
  std::int64_t m = 0, k = 0, n = 0;
  Shape batch;  // the result's batch axes
  std::int64_t products = 1;
  std::vector<std::int64_t> a_matrix, b_matrix;
  std::int64_t a_matrices = 1, b_matrices = 1;
};

class GemmKernels {
 public:
  virtual ~GemmKernels() = default;

  // c = op(a) · op(b) for matrices a and b, op transposing where asked; c += it when c.accumulate
  // (BLAS's beta 1). A forward product passes its fresh output, a gradient that is a product
  // (dense's and matmul's backward) its GradOut.
  virtual void matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b,
                      GradOut c) const = 0;
  // y (batch axes..., m, n) = the products of bp, in order.
  virtual void batched_matmul(const BatchedProduct& bp, bool trans_a, bool trans_b, const Tensor& a,
                              const Tensor& b, Tensor& y) const = 0;
  // batched_matmul's gradients from dy: a's and b's, each matrix's summed over the products that
  // read it.
  virtual void batched_matmul_grad_a(const BatchedProduct& bp, bool trans_a, bool trans_b,
                                     const Tensor& dy, const Tensor& b, GradOut da) const = 0;
  virtual void batched_matmul_grad_b(const BatchedProduct& bp, bool trans_a, bool trans_b,
                                     const Tensor& dy, const Tensor& a, GradOut db) const = 0;

  // y (batch, out) = x (batch, in) · w (in, out) + bias (out,); bias may be null (none).
  virtual void dense(const Tensor& x, const Tensor& w, const Tensor* bias, Tensor& y) const = 0;
  // dense's bias gradient: dy summed over its rows.
  virtual void dense_bias_grad(const Tensor& dy, GradOut db) const = 0;
};

}  // namespace descent
