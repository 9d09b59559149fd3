#include "core/ops/gemm.h"

#include <omp.h>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

namespace descent {
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

}  // namespace descent
