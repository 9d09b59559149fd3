// layer_from_config reads integers by descent's one integer rule (core/json_integer.h), the rule
// of optimizer and schedule options too: 16 and 16.0 are integers, 16.5 is not.
#include "nn/layer_config.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string rejection(const json& config) {
  try {
    layer_from_config(config);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(LayerConfig, AnIntegerMayBeWrittenAsANumberWithAnExactIntegerValue) {
  EXPECT_EQ(layer_from_config({{"type", "Dense"}, {"units", 16.0}})->config()["units"], 16);
  EXPECT_EQ(
      layer_from_config({{"type", "Flatten"}, {"input_shape", {2.0, 3}}})->config()["input_shape"],
      json({2, 3}));
  EXPECT_THAT(rejection({{"type", "Dense"}, {"units", 16.5}}),
              HasSubstr("key \"units\" must be an integer, got 16.5"));
  EXPECT_THAT(rejection({{"type", "Dense"}, {"units", 1e300}}), HasSubstr("must be an integer"));
  EXPECT_THAT(rejection({{"type", "Flatten"}, {"input_shape", {2.5}}}),
              HasSubstr("an array of positive integers"));
}

}  // namespace
}  // namespace descent
