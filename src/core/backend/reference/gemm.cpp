#include <cstdint>
#include <vector>

#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::store;

// op(x) of matrix `matrix` of the stack x holds, in double: (rows, cols) row-major, read from x's
// (cols, rows) matrix where `trans`.
std::vector<double> op_matrix(const Tensor& x, std::int64_t matrix, std::int64_t rows,
                              std::int64_t cols, bool trans) {
  const std::int64_t offset = matrix * rows * cols;
  std::vector<double> out(static_cast<std::size_t>(rows * cols));
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      out[i * cols + j] = x.at(offset + (trans ? j * rows + i : i * cols + j));
  return out;
}

// The adjoint of op_matrix: adds `values` (rows, cols) onto matrix `matrix` of out, transposed
// back where `trans`.
void add_op_matrix(const std::vector<double>& values, std::int64_t matrix, std::int64_t rows,
                   std::int64_t cols, bool trans, std::vector<double>& out) {
  const std::int64_t offset = matrix * rows * cols;
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j)
      out[offset + (trans ? j * rows + i : i * cols + j)] += values[i * cols + j];
}

// c (m, n) += a (m, k) · b (k, n): the triple loop, in i-k-j order so that the inner loop walks
// rows of b and c.
void add_product(const std::vector<double>& a, const std::vector<double>& b, std::int64_t m,
                 std::int64_t k, std::int64_t n, double* c) {
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t p = 0; p < k; ++p)
      for (std::int64_t j = 0; j < n; ++j)
        c[i * n + j] += a[i * k + p] * b[p * n + j];
}

class ReferenceGemm final : public GemmKernels {
 public:
  void matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b,
              GradOut c) const override {
    reference::count_kernel_call();
    const std::int64_t m = c.tensor.dim(0), n = c.tensor.dim(1), k = a.dim(trans_a ? 0 : 1);
    std::vector<double> out(static_cast<std::size_t>(m * n), 0.0);
    add_product(op_matrix(a, 0, m, k, trans_a), op_matrix(b, 0, k, n, trans_b), m, k, n,
                out.data());
    store(c.tensor, out, c.accumulate);
  }

  void batched_matmul(const BatchedProduct& bp, bool trans_a, bool trans_b, const Tensor& a,
                      const Tensor& b, Tensor& y) const override {
    reference::count_kernel_call();
    const std::int64_t m = bp.m, k = bp.k, n = bp.n;
    std::vector<double> out(static_cast<std::size_t>(y.size()), 0.0);
    for (std::int64_t t = 0; t < bp.products; ++t)
      add_product(op_matrix(a, bp.a_matrix[t], m, k, trans_a),
                  op_matrix(b, bp.b_matrix[t], k, n, trans_b), m, k, n, out.data() + t * m * n);
    store(y, out);
  }

  // d op(a_t) = dy_t · op(b_t)ᵀ, summed onto each product's matrix of a.
  void batched_matmul_grad_a(const BatchedProduct& bp, bool trans_a, bool trans_b, const Tensor& dy,
                             const Tensor& b, GradOut da) const override {
    reference::count_kernel_call();
    const std::int64_t m = bp.m, k = bp.k, n = bp.n;
    std::vector<double> out(static_cast<std::size_t>(da.tensor.size()), 0.0);
    for (std::int64_t t = 0; t < bp.products; ++t) {
      std::vector<double> d(static_cast<std::size_t>(m * k), 0.0);
      add_product(op_matrix(dy, t, m, n, false), op_matrix(b, bp.b_matrix[t], n, k, !trans_b), m, n,
                  k, d.data());
      add_op_matrix(d, bp.a_matrix[t], m, k, trans_a, out);
    }
    store(da.tensor, out, da.accumulate);
  }

  // d op(b_t) = op(a_t)ᵀ · dy_t, summed onto each product's matrix of b.
  void batched_matmul_grad_b(const BatchedProduct& bp, bool trans_a, bool trans_b, const Tensor& dy,
                             const Tensor& a, GradOut db) const override {
    reference::count_kernel_call();
    const std::int64_t m = bp.m, k = bp.k, n = bp.n;
    std::vector<double> out(static_cast<std::size_t>(db.tensor.size()), 0.0);
    for (std::int64_t t = 0; t < bp.products; ++t) {
      std::vector<double> d(static_cast<std::size_t>(k * n), 0.0);
      add_product(op_matrix(a, bp.a_matrix[t], k, m, !trans_a), op_matrix(dy, t, m, n, false), k, m,
                  n, d.data());
      add_op_matrix(d, bp.b_matrix[t], k, n, trans_b, out);
    }
    store(db.tensor, out, db.accumulate);
  }

  void dense(const Tensor& x, const Tensor& w, const Tensor* bias, Tensor& y) const override {
    reference::count_kernel_call();
    const std::int64_t batch = y.dim(0), out = y.dim(1), in = x.dim(1);
    std::vector<double> values(static_cast<std::size_t>(y.size()), 0.0);
    if (bias)
      for (std::int64_t r = 0; r < batch; ++r)
        for (std::int64_t j = 0; j < out; ++j)
          values[r * out + j] = bias->at(j);
    add_product(op_matrix(x, 0, batch, in, false), op_matrix(w, 0, in, out, false), batch, in, out,
                values.data());
    store(y, values);
  }

  void dense_bias_grad(const Tensor& dy, GradOut db) const override {
    reference::count_kernel_call();
    const std::int64_t rows = dy.dim(0), cols = dy.dim(1);
    std::vector<double> out(static_cast<std::size_t>(cols), 0.0);
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t j = 0; j < cols; ++j)
        out[j] += dy.at(r * cols + j);
    store(db.tensor, out, db.accumulate);
  }
};

}  // namespace

const GemmKernels& reference_gemm() {
  static const ReferenceGemm kernels;
  return kernels;
}

}  // namespace descent
