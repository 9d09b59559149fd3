// A parallel sum whose result does not depend on the thread count (no OpenMP reduction clause,
// whose order varies): used by the fused cross-entropy op, the losses and the metrics.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/parallel.h"

namespace descent {

// Sums term(i) for i in [0, items) in a fixed number of contiguous chunks, in parallel when
// items · cost_per_item is large, and adds the chunk sums in order: the result depends neither on
// the thread count nor on the schedule. `term` must not throw.
template <class Term>
double deterministic_sum(std::int64_t items, std::int64_t cost_per_item, const Term& term) {
  constexpr std::int64_t kChunks = 64;
  std::array<double, kChunks> partial{};
  const std::int64_t chunk = (items + kChunks - 1) / kChunks;
  parallel_for(kChunks, items * cost_per_item, [&](std::int64_t c) {
    double s = 0.0;
    const std::int64_t end = std::min(items, (c + 1) * chunk);
    for (std::int64_t i = c * chunk; i < end; ++i)
      s += term(i);
    partial[c] = s;
  });
  double total = 0.0;
  for (double p : partial)
    total += p;
  return total;
}

}  // namespace descent
