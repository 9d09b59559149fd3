// Micro-benchmarks of descent's kernels against their reference, at the shapes the benchmark's
// workloads use: descent's gemm against a plain vectorizable loop (which would be the only reason
// for a third matrix-product path), and descent's split of a product across threads against
// OpenBLAS's and oneDNN's own threading. Run: build/bench/kernels_bench [--benchmark_filter=..];
// all use OMP_NUM_THREADS threads (all cores by default).
#include <algorithm>
#include <vector>

#include <benchmark/benchmark.h>
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include "core/backend/cpu/gemm.h"

namespace {

struct Operands {
  std::vector<float> a, b, c;
  Operands(std::int64_t m, std::int64_t n, std::int64_t k)
      : a(std::size_t(m * k), 0.5f), b(std::size_t(k * n), 0.25f), c(std::size_t(m * n)) {}
};

void set_counters(benchmark::State& state, std::int64_t m, std::int64_t n, std::int64_t k) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * double(m * n * k) * double(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

// C = A·B as loops the compiler vectorizes along the contiguous index of B and C.
void loop_gemm(benchmark::State& state) {
  const std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  Operands o(m, n, k);
  for (auto _ : state) {
    for (std::int64_t i = 0; i < m; ++i) {
      float* ci = o.c.data() + i * n;
      std::fill(ci, ci + n, 0.0f);
      for (std::int64_t p = 0; p < k; ++p) {
        const float aip = o.a[std::size_t(i * k + p)];
        const float* bp = o.b.data() + p * n;
        for (std::int64_t j = 0; j < n; ++j)
          ci[j] += aip * bp[j];
      }
    }
    benchmark::DoNotOptimize(o.c.data());
  }
  set_counters(state, m, n, k);
}

void descent_gemm(benchmark::State& state) {
  const std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  Operands o(m, n, k);
  for (auto _ : state) {
    descent::cpu::gemm(false, false, m, n, k, o.a.data(), o.b.data(), 0.0f, o.c.data());
    benchmark::DoNotOptimize(o.c.data());
  }
  set_counters(state, m, n, k);
}

enum class Threading { descent_split, openblas, onednn };

// One product of a training step, op(A)·op(B): args (transpose A, transpose B, m, n, k).
template <Threading kThreading>
void training_gemm(benchmark::State& state) {
  const bool ta = state.range(0) != 0, tb = state.range(1) != 0;
  const std::int64_t m = state.range(2), n = state.range(3), k = state.range(4);
  Operands o(m, n, k);
  for (auto _ : state) {
    if constexpr (kThreading == Threading::openblas)
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                  int(m), int(n), int(k), 1.0f, o.a.data(), int(ta ? m : k), o.b.data(),
                  int(tb ? k : n), 0.0f, o.c.data(), int(n));
    else if constexpr (kThreading == Threading::onednn)
      dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, o.a.data(), ta ? m : k, o.b.data(),
                 tb ? k : n, 0.0f, o.c.data(), n);
    else
      descent::cpu::gemm(ta, tb, m, n, k, o.a.data(), o.b.data(), 0.0f, o.c.data());
    benchmark::DoNotOptimize(o.c.data());
  }
  set_counters(state, m, n, k);
}

// W1's step at batch 128 (forward, weight gradients, input gradients), W2's first layer at 32,
// and W4's convolutions at batch 128 (W · col of either layer, the second's weight gradient).
void training_shapes(benchmark::internal::Benchmark* b) {
  for (const auto& s : std::vector<std::vector<std::int64_t>>{{0, 0, 128, 256, 784},
                                                              {0, 0, 128, 128, 256},
                                                              {1, 0, 784, 256, 128},
                                                              {1, 0, 256, 128, 128},
                                                              {0, 1, 128, 256, 128},
                                                              {0, 0, 32, 256, 784},
                                                              {1, 0, 784, 256, 32},
                                                              {0, 0, 32, 86528, 9},
                                                              {0, 0, 64, 15488, 288},
                                                              {0, 1, 64, 288, 15488}})
    b->Args(s);
}

// (batch, out, in): the tutorial's layers (W5), a batch-32 output layer (W2), W1's first layer.
void shapes(benchmark::internal::Benchmark* b) {
  for (const auto& s : std::vector<std::vector<std::int64_t>>{{10, 16, 1},
                                                              {10, 32, 16},
                                                              {10, 2, 32},
                                                              {16, 32, 32},
                                                              {32, 32, 16},
                                                              {32, 10, 128},
                                                              {128, 10, 128},
                                                              {128, 256, 784}})
    b->Args(s);
}

BENCHMARK(descent_gemm)->Apply(shapes);
BENCHMARK(loop_gemm)->Apply(shapes);
BENCHMARK(training_gemm<Threading::descent_split>)
    ->Name("descent_split_gemm")
    ->Apply(training_shapes);
BENCHMARK(training_gemm<Threading::openblas>)
    ->Name("openblas_threaded_gemm")
    ->Apply(training_shapes);
BENCHMARK(training_gemm<Threading::onednn>)->Name("onednn_threaded_gemm")->Apply(training_shapes);

}  // namespace

BENCHMARK_MAIN();
