// Schedule presets (tune's final-run schedules): their shape at the named peak η, and one-cycle's
// momentum cycled only for optimizers that have one.
#include "optim/schedule/schedule_presets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

TEST(SchedulePresets, OneCyclePeaksAtTheGivenLearningRate) {
  const auto s = make_schedule_preset("onecycle", nlohmann::json::object(), 0.1, 100, true);
  EXPECT_DOUBLE_EQ(s->lr(0), 0.1 / 25);  // PyTorch's div_factor
  EXPECT_DOUBLE_EQ(s->lr(29), 0.1);      // PyTorch's peak: step pct_start · total − 1
  EXPECT_NEAR(s->lr(99), 0.1 / 25 / 1e4, 1e-12);
  ASSERT_TRUE(s->momentum(0).has_value());
  EXPECT_DOUBLE_EQ(*s->momentum(0), 0.95);
}

TEST(SchedulePresets, OneCycleLeavesTheMomentumOfAnOptimizerWithoutOne) {
  const auto s = make_schedule_preset("onecycle", nlohmann::json::object(), 0.1, 100, false);
  EXPECT_FALSE(s->momentum(0).has_value());
  EXPECT_FALSE(s->momentum(50).has_value());
  EXPECT_DOUBLE_EQ(s->lr(29), 0.1);
  // A parameter given with the preset wins over the preset's own.
  const auto given =
      make_schedule_preset("onecycle", {{"pct_start", 0.5}, {"max_lr", 0.2}}, 0.1, 100, true);
  EXPECT_DOUBLE_EQ(given->lr(49), 0.2);
}

TEST(SchedulePresets, CosineWarmsUpOverTheFirstTwentiethThenDecaysToZero) {
  const auto s = make_schedule_preset("cosine", nlohmann::json::object(), 0.1, 200, true);
  EXPECT_DOUBLE_EQ(s->lr(0), 0.1 / 25);
  EXPECT_DOUBLE_EQ(s->lr(10), 0.1);
  EXPECT_NEAR(s->lr(10 + 95), 0.05, 1e-12);  // half way through the decay
  EXPECT_NEAR(s->lr(200), 0.0, 1e-12);
  EXPECT_FALSE(s->momentum(0).has_value());
}

TEST(SchedulePresets, ConstantIsNoScheduleAndUnknownNamesAreRefused) {
  EXPECT_EQ(make_schedule_preset("constant", nlohmann::json::object(), 0.1, 100, true), nullptr);
  EXPECT_TRUE(is_schedule_preset("cosine"));
  EXPECT_FALSE(is_schedule_preset("OneCycleLR"));
  try {
    make_schedule_preset("linear", nlohmann::json::object(), 0.1, 100, true);
    FAIL() << "accepted an unknown preset";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown schedule preset 'linear'"));
  }
}

}  // namespace
}  // namespace descent
