// all_finite: whether no value is NaN or ±inf. It reads the exponent bits with integer operations,
// which the compiler vectorizes (a floating-point reduction it may not reorder), so it is cheap
// enough to run on every gradient at every step.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <span>

#include "core/parallel.h"

namespace descent {

inline bool all_finite(std::span<const float> values) {
  constexpr std::uint32_t kExponent = 0x7f800000u;  // all ones: infinity or NaN
  std::uint32_t bad = 0;
  for (float v : values)
    bad |= static_cast<std::uint32_t>((std::bit_cast<std::uint32_t>(v) & kExponent) == kExponent);
  return bad == 0;
}

// all_finite split across the threads: fit() checks every gradient at every step, and at a small
// batch that one serial pass over all the parameters is a visible share of the step.
inline bool all_finite_parallel(std::span<const float> values) {
  constexpr std::int64_t kChunk = std::int64_t{1} << 14;
  const auto n = static_cast<std::int64_t>(values.size());
  std::atomic<bool> finite{true};
  parallel_for((n + kChunk - 1) / kChunk, n, [&finite, values, n](std::int64_t c) {
    const std::int64_t first = c * kChunk;
    if (!all_finite(values.subspan(first, n - first < kChunk ? n - first : kChunk)))
      finite.store(false, std::memory_order_relaxed);
  });
  return finite.load();
}

}  // namespace descent
