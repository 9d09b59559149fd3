// Threading: one setting for the whole process. OpenMP runs the element-wise loops; OpenBLAS
// runs the matrix products with the same count. Flush-to-zero and denormals-are-zero are set on
// every thread, because denormal floats make late epochs several times slower.
#pragma once

#include <cstdint>

namespace descent {

// Sets the number of threads for OpenMP and OpenBLAS (0 = all cores) and enables FTZ/DAZ.
void set_num_threads(int threads);
int num_threads();
// Enables flush-to-zero / denormals-are-zero on the calling thread.
void enable_flush_denormals();

// Below this many elements an element-wise loop runs on one thread (the fork costs more).
inline constexpr std::int64_t kParallelGrain = 1 << 15;

}  // namespace descent
