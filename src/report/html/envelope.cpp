#include "report/html/envelope.h"

#include <cmath>
#include <numeric>

#include <fmt/format.h>

#include "core/error.h"

namespace descent::html {

std::vector<std::size_t> envelope_indices(std::span<const double> y, std::size_t max_points) {
  if (max_points < 2)
    throw InvalidArgument(fmt::format("an envelope needs at least 2 points, got {}", max_points));
  const std::size_t n = y.size();
  std::vector<std::size_t> kept;
  if (n <= max_points) {
    kept.resize(n);
    std::iota(kept.begin(), kept.end(), std::size_t{0});
    return kept;
  }
  const std::size_t buckets = max_points / 2;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t begin = b * n / buckets, end = (b + 1) * n / buckets;
    std::size_t low = end, high = end;
    for (std::size_t i = begin; i < end; ++i) {
      if (!std::isfinite(y[i])) continue;
      if (low == end || y[i] < y[low]) low = i;
      if (high == end || y[i] > y[high]) high = i;
    }
    if (low == end) {
      kept.push_back(begin);
    } else {
      kept.push_back(std::min(low, high));
      if (high != low) kept.push_back(std::max(low, high));
    }
  }
  return kept;
}

}  // namespace descent::html
