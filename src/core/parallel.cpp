#include "core/parallel.h"

#include <omp.h>
#include <pmmintrin.h>
#include <xmmintrin.h>

#include <cblas.h>

namespace descent {

void enable_flush_denormals() {
  _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
  _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
}

int available_cores() {
  return omp_get_num_procs();
}

void set_num_threads(int threads) {
  if (threads <= 0) threads = available_cores();
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
  enable_flush_denormals();
#pragma omp parallel num_threads(threads)
  enable_flush_denormals();
}

int num_threads() {
  return omp_get_max_threads();
}

}  // namespace descent
