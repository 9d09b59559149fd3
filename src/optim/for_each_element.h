// The fused element loop of every update rule: one pass over a parameter, split across OpenMP
// threads when the tensor is large enough to pay for the fork. Each element is independent, so
// the result does not depend on the thread count.
#pragma once

#include <cstdint>

#include "core/parallel.h"

namespace descent {

template <class Body>
inline void for_each_element(std::int64_t n, const Body& body) {
  parallel_for(n, n, body);
}

}  // namespace descent
