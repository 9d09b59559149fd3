// The weights and checkpoint targets fix the input's trailing CRC-32, so that the fuzzer explores
// the checks behind the checksum (the checksum test itself is in tests/train).
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace descent::fuzz {

inline std::vector<std::uint8_t> with_recomputed_crc(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  if (size >= 4) {
    const auto crc = static_cast<std::uint32_t>(crc32(0L, data, static_cast<uInt>(size - 4)));
    std::memcpy(bytes.data() + size - 4, &crc, 4);
  }
  return bytes;
}

}  // namespace descent::fuzz
