// NPY parser: parse_npy on the raw bytes. A DataError is the expected rejection; anything else
// escaping (another exception, a crash, a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.h"
#include "data/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const descent::NpyArray array =
        descent::parse_npy(std::span(reinterpret_cast<const char*>(data), size), "fuzz.npy");
    double sum = 0;  // touch every element: reads past the buffer would be reported
    for (std::int64_t i = 0; i < array.size(); ++i)
      sum += array.value(i);
    (void)sum;
  } catch (const descent::DataError&) {
  }
  return 0;
}
