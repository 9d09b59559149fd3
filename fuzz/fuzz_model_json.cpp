// Model JSON: nlohmann's parser, then network_from_config (a Sequential list or a functional
// graph), as `--model FILE.json` does. Text that is not JSON is rejected by the parser; a
// descent::Error is the expected rejection of a JSON document; anything else (a json exception
// from inside from_config, a crash, a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "nn/network.h"

namespace {

// A model's size is the user's choice: {"units": 100000000} is valid and allocates what it
// asks for. Documents whose positive integers multiply past 2^24 are skipped, so that every
// allocation stays far below the fuzzer's memory limit while zero, negative and huge single
// values are still tried.
// Iterative, so that a deeply nested document reaches the code under test.
bool small_enough(const nlohmann::json& document) {
  double product = 1;
  std::vector<const nlohmann::json*> pending{&document};
  while (!pending.empty()) {
    const nlohmann::json& j = *pending.back();
    pending.pop_back();
    if (j.is_number_integer() && (j.is_number_unsigned() || j.get<std::int64_t>() > 1)) {
      product *= j.get<double>();
      if (product > double(1 << 24)) return false;
    } else if (j.is_structured()) {
      for (const auto& item : j)
        pending.push_back(&item);
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json config = nlohmann::json::parse(data, data + size, nullptr, false);
  if (config.is_discarded()) return 0;
  if (!small_enough(config)) return 0;
  try {
    const auto model = descent::network_from_config(config);
    if (model->built()) (void)model->count_params();
  } catch (const descent::Error&) {
  }
  return 0;
}
