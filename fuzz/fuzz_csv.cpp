// CSV reader: the first byte picks the options (task, delimiter, label column), the rest is the
// file. A descent::Error is the expected rejection; anything else is a finding.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "data/csv.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static const auto file = descent::fuzz::input_file("data.csv");
  descent::fuzz::write_input(file, data + 1, size - 1);
  const std::uint8_t choice = data[0];
  descent::CsvOptions options;
  options.task = static_cast<descent::CsvTask>(choice % 3);
  options.delimiter = ",;\t|"[(choice / 3) % 4];
  constexpr const char* kLabels[] = {"", "label", "0", "-1", "1", "99", "-7", "y"};
  options.label = kLabels[(choice / 12) % 8];
  try {
    descent::read_csv(file, options);
  } catch (const descent::Error&) {
  }
  return 0;
}
