// all_finite: whether no value is NaN or ±inf. It reads the exponent bits with integer operations,
// which the compiler vectorizes (a floating-point reduction it may not reorder), so it is cheap
// enough to run on every gradient at every step.
#pragma once

#include <bit>
#include <cstdint>
#include <span>

namespace descent {

inline bool all_finite(std::span<const float> values) {
  constexpr std::uint32_t kExponent = 0x7f800000u;  // all ones: infinity or NaN
  std::uint32_t bad = 0;
  for (float v : values)
    bad |= static_cast<std::uint32_t>((std::bit_cast<std::uint32_t>(v) & kExponent) == kExponent);
  return bad == 0;
}

}  // namespace descent
