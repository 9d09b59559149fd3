// ceil(n / d) for counts (batches in an epoch) without the overflow of (n + d - 1) / d, which
// wraps for a batch size near 2^63 and gave 0 batches.
#pragma once

#include <cstdint>

namespace descent {

// n >= 0, d > 0.
constexpr std::int64_t ceil_div(std::int64_t n, std::int64_t d) {
  return n / d + (n % d != 0 ? 1 : 0);
}

}  // namespace descent
