// keep ? a : b as bit operations. GCC keeps a ?: whose arm holds a floating-point operation (or
// feeds a product) as a branch, which blocks vectorization and mispredicts on signed data; this
// form compiles to a compare and masks.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace descent::cpu {

template <class A, class B>
auto select(bool keep, A a, B b) {
  using T = std::common_type_t<A, B>;
  using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  const Bits mask = Bits{0} - static_cast<Bits>(keep);
  return std::bit_cast<T>((std::bit_cast<Bits>(static_cast<T>(a)) & mask) |
                          (std::bit_cast<Bits>(static_cast<T>(b)) & ~mask));
}

}  // namespace descent::cpu
