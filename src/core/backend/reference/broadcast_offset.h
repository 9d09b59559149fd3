// Which element of an operand of shape `from` element i of a result of shape `to` reads under
// NumPy broadcasting: i unravelled axis by axis, the simplest way there is.
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace descent::reference {

inline std::int64_t broadcast_offset(std::int64_t i, const Shape& to, const Shape& from) {
  const std::ptrdiff_t shift =
      static_cast<std::ptrdiff_t>(to.size()) - static_cast<std::ptrdiff_t>(from.size());
  std::int64_t offset = 0, stride = 1;
  for (std::ptrdiff_t k = static_cast<std::ptrdiff_t>(to.size()) - 1; k >= 0; --k) {
    const std::int64_t index = i % to[k];
    i /= to[k];
    const std::ptrdiff_t kf = k - shift;
    if (kf < 0) continue;
    if (from[kf] != 1) offset += index * stride;
    stride *= from[kf];
  }
  return offset;
}

}  // namespace descent::reference
