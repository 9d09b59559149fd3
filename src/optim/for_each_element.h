// The fused element loop of every update rule: one pass over a parameter, split across OpenMP
// threads when the tensor is large enough to pay for the fork. Each element is independent, so
// the result does not depend on the thread count.
#pragma once

#include <cstdint>

#include "core/parallel.h"

namespace descent {

template <class Body>
inline void for_each_element(std::int64_t n, const Body& body) {
#pragma omp parallel if (n >= kParallelGrain)
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
