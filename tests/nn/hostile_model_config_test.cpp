// Hostile model JSON (docs/fuzzing.md): deeply nested values are rejected with a short message.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "nn/sequential.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

// `[[[...]]]`, `depth` arrays deep.
std::string nested(int depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string rejection(const std::string& text) {
  try {
    Sequential::from_config(nlohmann::json::parse(text));
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "accepted";
}

// Fuzzing finding: the error message dumped the offending value, recursively, so a million
// nested arrays overflowed the stack.
TEST(HostileModelConfig, DeeplyNestedValuesGiveShortMessages) {
  const std::string layer = rejection(R"({"layers": [)" + nested(1'000'000) + "]}");
  EXPECT_THAT(layer, HasSubstr("must be an object with a \"type\" string, got a nested array"));
  const std::string units =
      rejection(R"({"layers": [{"type": "Dense", "units": )" + nested(1'000'000) + "}]}");
  EXPECT_THAT(units, HasSubstr("key \"units\" must be an integer, got a nested array"));
  EXPECT_LT(units.size(), 200u);
}

TEST(HostileModelConfig, FlatValuesAreShownCut) {
  EXPECT_THAT(rejection(R"({"layers": [{"type": "Dense", "units": [1, 2]}]})"),
              HasSubstr("got [1,2]"));
  const std::string long_name =
      rejection(R"({"layers": [{"type": "Dense", "units": ")" + std::string(1000, 'x') + "\"}]}");
  EXPECT_THAT(long_name, HasSubstr("got \"xxx"));
  EXPECT_LT(long_name.size(), 200u);
}

}  // namespace
}  // namespace descent
