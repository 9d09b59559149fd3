// Weights and checkpoint container: read_weights_file on the input with its trailing CRC-32
// recomputed, so that the fuzzer explores the header and tensor checks behind the checksum
// (the checksum test itself is in tests/train). A descent::Error is the expected rejection;
// anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "fuzz_input_file.h"
#include "recomputed_crc.h"
#include "train/weights_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes = descent::fuzz::with_recomputed_crc(data, size);
  static const auto file = descent::fuzz::input_file("weights.bin");
  descent::fuzz::write_input(file, bytes.data(), bytes.size());
  try {
    descent::read_weights_file(file);
  } catch (const descent::Error&) {
  }
  return 0;
}
