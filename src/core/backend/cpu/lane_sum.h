// Σ_j f(j) over [0, n) in eight lanes of T, a loop the compiler vectorises (an in-order sum is a
// chain of dependent adds it cannot), the lanes then added in a fixed order in double: the result
// does not depend on the thread count, and is precise enough for rows of non-negative terms.
#pragma once

#include <cstdint>

namespace descent::cpu {

template <class T, class F>
double lane_sum(std::int64_t n, const F& f) {
  T lanes[8] = {};
  std::int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k)
      lanes[k] += f(j + k);
  for (; j < n; ++j)
    lanes[j & 7] += f(j);
  double total = 0.0;
  for (T lane : lanes)
    total += lane;
  return total;
}

}  // namespace descent::cpu
