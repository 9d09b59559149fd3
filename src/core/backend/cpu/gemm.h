// gemm: the one matrix product every cpu kernel uses (dense, matmul, the float64 im2col
// convolution): oneDNN's sgemm, or OpenBLAS's for the tiny products where it is faster
// (cpu/gemm.cpp). A plain loop for tiny products (the Keras tutorial's 10×32×16) was measured
// slower than OpenBLAS's small-matrix path (bench/kernels_bench), so there is no third path.
#pragma once

#include <cstdint>

namespace descent::cpu {

// Below this many multiply-adds one thread is faster: the fork costs more than the split saves.
// (A batch of such products runs one product per thread instead: batched_matmul in cpu/gemm.cpp.)
inline constexpr std::int64_t kParallelGemmWork = std::int64_t{1} << 20;

// C (m, n) = op(A) · op(B) + beta · C, row-major, all operands contiguous.
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
          const float* a, const float* b, float beta, float* c);
// The same in float64, by OpenBLAS's dgemm (oneDNN has no float64 product); one call, no split.
void gemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k,
          const double* a, const double* b, double beta, double* c);

}  // namespace descent::cpu
