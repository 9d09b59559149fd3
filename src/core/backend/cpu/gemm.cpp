// The cpu products: gemm, the one matrix product (oneDNN or OpenBLAS, a large one split across
// the threads), and the gemm kernel family on it (matmul, batched matmul, dense).
#include "core/backend/cpu/gemm.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include "core/backend/cpu/cpu_backend.h"
#include "core/parallel.h"

namespace descent::cpu {
namespace {

// Below this many multiply-adds OpenBLAS is faster: oneDNN's call costs about 0.2 µs more, which
// is most of a tiny product (the Keras tutorial's 10×32×16).
constexpr std::int64_t kOneDnnWork = std::int64_t{1} << 14;
// Rows of C per thread below which C is split by columns instead.
constexpr std::int64_t kMinRowsPerThread = 16;
// C split by columns when it is this many times wider than tall (a convolution's W · col):
// measured faster there, and by rows for the squarer products of dense layers.
constexpr std::int64_t kColumnSplitAspect = 4;

void sgemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
           const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
           std::int64_t ldc) {
  if (m * n * k >= kOneDnnWork) {
    dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, beta, c,
               ldc);
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta,
              c, static_cast<int>(ldc));
}

}  // namespace

// A large product is split here, one block of C per thread, each one call that runs
// single-threaded inside the parallel region. For the products of small networks (m, n, k of 10 to
// 1,000) this is up to 4× as fast as OpenBLAS's own threading on two cores and about as fast as
// oneDNN's (bench/kernels_bench); each block is one call, so the result depends only on the thread
// count.
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
          const float* a, const float* b, float beta, float* c) {
  const std::int64_t lda = trans_a ? m : k;
  const std::int64_t ldb = trans_b ? k : n;
  const int threads = omp_get_max_threads();
  if (m * n * k < kParallelGemmWork || threads == 1 || omp_in_parallel()) {
    // Outside a parallel region oneDNN would fork its own threads; a product this small is faster
    // on this thread alone (W1 and W2 3-5% per epoch).
    omp_set_num_threads(1);
    sgemm(trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, n);
    omp_set_num_threads(threads);
    return;
  }
#pragma omp parallel
  {
    const std::int64_t threads = omp_get_num_threads();
    const std::int64_t t = omp_get_thread_num();
    // Rows [r0, r1) of C come from the same rows of op(A), columns [c0, c1) from the same
    // columns of op(B).
    if (m >= kMinRowsPerThread * threads && n < kColumnSplitAspect * m) {
      const std::int64_t r0 = m * t / threads;
      const std::int64_t r1 = m * (t + 1) / threads;
      sgemm(trans_a, trans_b, r1 - r0, n, k, trans_a ? a + r0 : a + r0 * k, lda, b, ldb, beta,
            c + r0 * n, n);
    } else {
      const std::int64_t c0 = n * t / threads;
      const std::int64_t c1 = n * (t + 1) / threads;
      if (c1 > c0)
        sgemm(trans_a, trans_b, m, c1 - c0, k, a, lda, trans_b ? b + c0 * k : b + c0, ldb, beta,
              c + c0, n);
    }
  }
}

void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
          const double* a, const double* b, double beta, double* c) {
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0, a, static_cast<int>(trans_a ? m : k), b,
              static_cast<int>(trans_b ? k : n), beta, c, static_cast<int>(n));
}

}  // namespace descent::cpu

namespace descent {
namespace {

using cpu::gemm;
using cpu::kParallelGemmWork;

// Calls f(t) for each product t: one product per thread when they are small (gemm then runs
// single-threaded inside the region), else one after another with gemm splitting each.
template <class F>
void for_each_product(std::int64_t products, std::int64_t work_each, F f) {
  if (products > 1 && work_each < kParallelGemmWork) {
    parallel_for(products, products * work_each, f);
    return;
  }
  for (std::int64_t t = 0; t < products; ++t)
    f(t);
}

// Runs product(t, beta) for each product t, which writes its gradient into matrix `matrix[t]` of an
// operand holding `matrices` of them, adding with beta 1 and assigning with 0. Products that
// share a matrix run in order, the first to reach it assigning unless `accumulate`.
template <class F>
void into_matrices(const std::vector<std::int64_t>& matrix, std::int64_t matrices,
                   std::int64_t work_each, bool accumulate, F product) {
  const auto products = static_cast<std::int64_t>(matrix.size());
  const float beta = accumulate ? 1.0f : 0.0f;
  if (matrices == products) {  // each matrix used by one product
    for_each_product(products, work_each, [&](std::int64_t t) { product(t, beta); });
    return;
  }
  std::vector<bool> written(static_cast<std::size_t>(matrices), accumulate);
  for (std::int64_t t = 0; t < products; ++t) {
    const auto i = static_cast<std::size_t>(matrix[t]);
    product(t, written[i] ? 1.0f : 0.0f);
    written[i] = true;
  }
}

class CpuGemm final : public GemmKernels {
 public:
  void matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b,
              GradOut c) const override {
    const std::int64_t m = c.tensor.dim(0), n = c.tensor.dim(1), k = a.dim(trans_a ? 0 : 1);
    visit_dtype(c.tensor.dtype(), [&](auto zero) {
      using T = decltype(zero);
      gemm(trans_a, trans_b, m, n, k, a.data<T>(), b.data<T>(), c.accumulate ? T{1} : T{0},
           c.tensor.data<T>());
    });
  }

  void batched_matmul(const BatchedProduct& bp, bool trans_a, bool trans_b, const Tensor& a,
                      const Tensor& b, Tensor& y) const override {
    const std::int64_t m = bp.m, k = bp.k, n = bp.n;
    visit_dtype(y.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* av = a.data<T>();
      const T* bv = b.data<T>();
      T* yv = y.data<T>();
      for_each_product(bp.products, m * n * k, [&](std::int64_t t) {
        gemm(trans_a, trans_b, m, n, k, av + bp.a_matrix[t] * m * k, bv + bp.b_matrix[t] * k * n,
             T{0}, yv + t * m * n);
      });
    });
  }

  // Product by product: d op(a) = dy · op(b)ᵀ, written back transposed where a was.
  void batched_matmul_grad_a(const BatchedProduct& bp, bool trans_a, bool trans_b, const Tensor& dy,
                             const Tensor& b, GradOut da) const override {
    const std::int64_t m = bp.m, k = bp.k, n = bp.n, work = m * n * k;
    visit_dtype(dy.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* g0 = dy.data<T>();
      const T* bv = b.data<T>();
      T* out0 = da.tensor.data<T>();
      into_matrices(bp.a_matrix, bp.a_matrices, work, da.accumulate,
                    [&](std::int64_t t, float beta) {
                      const T* g = g0 + t * m * n;
                      const T* bt = bv + bp.b_matrix[t] * k * n;
                      T* out = out0 + bp.a_matrix[t] * m * k;
                      if (trans_a)
                        gemm(trans_b, true, k, m, n, bt, g, T{beta}, out);
                      else
                        gemm(false, !trans_b, m, k, n, g, bt, T{beta}, out);
                    });
    });
  }

  // d op(b) = op(a)ᵀ · dy, written back transposed where b was.
  void batched_matmul_grad_b(const BatchedProduct& bp, bool trans_a, bool trans_b, const Tensor& dy,
                             const Tensor& a, GradOut db) const override {
    const std::int64_t m = bp.m, k = bp.k, n = bp.n, work = m * n * k;
    visit_dtype(dy.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* g0 = dy.data<T>();
      const T* av = a.data<T>();
      T* out0 = db.tensor.data<T>();
      into_matrices(bp.b_matrix, bp.b_matrices, work, db.accumulate,
                    [&](std::int64_t t, float beta) {
                      const T* g = g0 + t * m * n;
                      const T* at = av + bp.a_matrix[t] * m * k;
                      T* out = out0 + bp.b_matrix[t] * k * n;
                      if (trans_b)
                        gemm(true, trans_a, n, k, m, g, at, T{beta}, out);
                      else
                        gemm(!trans_a, false, k, n, m, at, g, T{beta}, out);
                    });
    });
  }

  // The bias is copied into every row, then the product added onto it (beta 1).
  void dense(const Tensor& x, const Tensor& w, const Tensor* bias, Tensor& y) const override {
    const std::int64_t batch = y.dim(0), out = y.dim(1), in = x.dim(1);
    visit_dtype(y.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* yv = y.data<T>();
      T beta = 0;
      if (bias) {
        const T* bv = bias->data<T>();
        for (std::int64_t r = 0; r < batch; ++r)
          for (std::int64_t j = 0; j < out; ++j)
            yv[r * out + j] = bv[j];
        beta = 1;
      }
      gemm(false, false, batch, out, in, x.data<T>(), w.data<T>(), beta, yv);
    });
  }

  void dense_bias_grad(const Tensor& dy_tensor, GradOut out) const override {
    const std::int64_t rows = dy_tensor.dim(0), cols = dy_tensor.dim(1);
    visit_dtype(dy_tensor.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* db = out.tensor.data<T>();
      if (!out.accumulate) std::fill_n(db, cols, T{0});
      const T* dy = dy_tensor.data<T>();
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t j = 0; j < cols; ++j)
          db[j] += dy[r * cols + j];
    });
  }
};

}  // namespace

const GemmKernels& cpu_gemm() {
  static const CpuGemm kernels;
  return kernels;
}

}  // namespace descent
