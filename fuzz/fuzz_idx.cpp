// IDX reader: the input is split into an image file and a label file (the first two bytes give
// the image file's length), both read by read_idx. A descent::Error is the expected rejection;
// anything else (another exception, a crash, a sanitizer report) is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "data/idx.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t image_size = std::min<std::size_t>(size - 2, data[0] | (data[1] << 8));
  static const auto images = descent::fuzz::input_file("images");
  static const auto labels = descent::fuzz::input_file("labels");
  descent::fuzz::write_input(images, data + 2, image_size);
  descent::fuzz::write_input(labels, data + 2 + image_size, size - 2 - image_size);
  try {
    descent::read_idx(images, labels);
  } catch (const descent::Error&) {
  }
  return 0;
}
