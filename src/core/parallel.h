// Threading: one setting for the whole process. OpenMP runs the element-wise loops and splits
// each large matrix product into one oneDNN call per thread (core/backend/cpu/gemm.cpp); oneDNN and
// OpenBLAS's OpenMP build run single-threaded inside such a region and follow OpenMP's count
// outside it.
// Flush-to-zero and denormals-are-zero are set on every thread, because denormal floats make late
// epochs several times slower.
#pragma once

#include <cstdint>

namespace descent {

// Sets the number of threads for OpenMP and OpenBLAS (0 = all cores) and enables FTZ/DAZ.
void set_num_threads(int threads);
int num_threads();
// The cores this process may run on (its CPU affinity), what --threads 0 uses.
int available_cores();
// Enables flush-to-zero / denormals-are-zero on the calling thread.
void enable_flush_denormals();

// Below this many elements an element-wise loop runs on one thread (the fork costs more).
inline constexpr std::int64_t kParallelGrain = 1 << 15;

// Calls body(i) for i in [0, n): split across the OpenMP threads (static schedule) when `work`,
// the element operations involved, reaches kParallelGrain; else a plain loop on this thread. Not
// `#pragma omp parallel if (...)`: libgomp allocates a team even for a region whose `if` is false,
// which cost a quarter of a small model's training step.
template <class Body>
void parallel_for(std::int64_t n, std::int64_t work, const Body& body) {
  if (work < kParallelGrain) {
    const Body local = body;
    for (std::int64_t i = 0; i < n; ++i)
      local(i);
    return;
  }
#pragma omp parallel
  {
    // A private copy of the closure: its captured scalars then cannot alias the arrays the body
    // writes, so they stay in registers and the loop vectorizes.
    const Body local = body;
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < n; ++i)
      local(i);
  }
}

}  // namespace descent
