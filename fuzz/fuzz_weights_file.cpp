// Weights and checkpoint container: read_weights_file on the input with its trailing CRC-32
// recomputed, so that the fuzzer explores the header and tensor checks behind the checksum
// (the checksum test itself is in tests/train). A descent::Error is the expected rejection;
// anything else is a finding.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "fuzz_input_file.h"
#include "train/weights_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  if (size >= 4) {
    const auto crc = static_cast<std::uint32_t>(crc32(0L, data, static_cast<uInt>(size - 4)));
    std::memcpy(bytes.data() + size - 4, &crc, 4);
  }
  static const auto file = descent::fuzz::input_file("weights.bin");
  descent::fuzz::write_input(file, bytes.data(), bytes.size());
  try {
    descent::read_weights_file(file);
  } catch (const descent::Error&) {
  }
  return 0;
}
