#include "lr/lr_suggestions.h"

#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

constexpr double kStep = 0.05;  // decades of η between points

// η from 1e-4 to 10 in steps of 0.05 decade (101 points).
std::vector<double> lr_grid() {
  std::vector<double> lr;
  for (int i = 0; i <= 100; ++i)
    lr.push_back(std::pow(10.0, -4 + kStep * i));
  return lr;
}

// A range-test curve with known answers, x = log10 η: a logistic fall of 2 centred at
// x = -1.5 (steepest there), flat at 0.5 by x = 0, then a blow-up 5x² (lowest at x = 0, η = 1).
double curve(double x) {
  return 0.5 + 2.0 / (1.0 + std::exp(4.0 * (x + 1.5))) + (x > 0 ? 5 * x * x : 0.0);
}

std::vector<double> sampled(const std::vector<double>& lr, double (*f)(double)) {
  std::vector<double> s;
  for (double v : lr)
    s.push_back(f(std::log10(v)));
  return s;
}

// Within one grid step of `expected` on a log scale.
void expect_lr_near(double actual, double expected) {
  EXPECT_LE(std::abs(std::log10(actual / expected)), kStep + 1e-9)
      << "η " << actual << " vs " << expected;
}

const SuggestionSettings kSettings{.skip = 2, .window = 3};

TEST(SuggestSteep, SteepestFallOfALogisticIsItsCentre) {
  const auto lr = lr_grid();
  const auto s = suggest_steep(lr, sampled(lr, curve), kSettings);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->rule, "steep");
  expect_lr_near(s->lr, std::pow(10.0, -1.5));
  EXPECT_NEAR(s->loss, curve(std::log10(s->lr)), 1e-12);
  EXPECT_THAT(s->reason, HasSubstr("per decade of η"));
}

TEST(SuggestSteep, OneNoisyStepCannotMakeTheSteepestPoint) {
  const auto lr = lr_grid();
  std::vector<double> s = sampled(lr, curve);
  // x = -3: a dip of one point on the flat start; over three points it would be the steepest
  // slope (-3 per decade against the logistic's -2).
  s[20] -= 0.3;
  const auto steep = suggest_steep(lr, s, {.skip = 2, .window = 5});
  ASSERT_TRUE(steep);
  expect_lr_near(steep->lr, std::pow(10.0, -1.5));
}

TEST(SuggestMinimum, ATenthOfWhereTheLossReachesItsBottom) {
  const auto lr = lr_grid();
  const auto s = suggest_minimum(lr, sampled(lr, curve), kSettings);
  ASSERT_TRUE(s);
  // Lowest at x = 0; the fall is from x = -3.9 (skip = 2); the bottom starts where the logistic
  // is within 5% of that fall of the lowest value.
  const double top = curve(-3.9), low = curve(0), level = low + 0.05 * (top - low);
  const double x = -1.5 + std::log(2.0 / (level - 0.5) - 1.0) / 4.0;
  EXPECT_NEAR(std::log10(s->lr * 10), x, 2e-3);
  EXPECT_THAT(s->reason, HasSubstr("a tenth of η = "));
}

// Falls linearly 3 -> 1 over x in [-4, -1], stays at 1, dips to 0.99 at x = 0.3, blows up.
double curve_with_late_dip(double x) {
  if (x <= -1) return 3 - (x + 4) * 2 / 3;
  if (x <= 0) return 1;
  if (x <= 0.6) return 1 - 0.01 * (1 - std::abs(x - 0.3) / 0.3);
  return 1 + 10 * (x - 0.6);
}

TEST(SuggestMinimum, ALateDipOfAboutTheSameDepthDoesNotMoveIt) {
  const auto lr = lr_grid();
  const auto s = suggest_minimum(lr, sampled(lr, curve_with_late_dip), kSettings);
  ASSERT_TRUE(s);
  // Within 5% of the fall (from 3 - 0.1 * 2/3 at x = -3.9 down to 0.99) of the lowest value:
  // on the linear part, where the line crosses the level (interpolation is exact there).
  const double top = 3 - 0.1 * 2 / 3, level = 0.99 + 0.05 * (top - 0.99);
  EXPECT_NEAR(std::log10(s->lr), (3 - level) * 1.5 - 4 - 1, 1e-9);
}

TEST(SuggestValley, TwoThirdsOfTheWayDownTheFall) {
  const auto lr = lr_grid();
  const auto s = suggest_valley(lr, sampled(lr, curve), kSettings);
  ASSERT_TRUE(s);
  // From the highest point (x = -3.9: skip = 2) to the lowest (x = 0), 2/3 of the way down is
  // where 0.5 + 2 / (1 + e^{4(x+1.5)}) = target, near x = -1.5 + ln2/4.
  const double top = curve(-3.9), low = curve(0), target = top - 2.0 / 3.0 * (top - low);
  const double x = -1.5 + std::log(2.0 / (target - 0.5) - 1.0) / 4.0;
  // Interpolated between the two points around the crossing.
  EXPECT_NEAR(std::log10(s->lr), x, 2e-3);
  EXPECT_NEAR(s->loss, target, 1e-12);
  EXPECT_THAT(s->reason, HasSubstr("2/3 of the way down"));
}

TEST(SuggestValley, TheLongestStretchWinsAndARiseBeyondTheToleranceCutsIt) {
  // Falls 3 -> 2 over 20 steps, rises by 0.5 (well over 5% of the whole fall), then falls
  // 2.5 -> 1 over 60 steps.
  std::vector<double> lr, s;
  for (int i = 0; i < 100; ++i) {
    lr.push_back(std::pow(10.0, -5 + 0.05 * i));
    s.push_back(i < 20   ? 3.0 - i / 20.0
                : i < 30 ? 2.0 + (i - 20) / 20.0
                : i < 90 ? 2.5 - 1.5 * (i - 30) / 60.0
                         : 1.0 + (i - 90));
  }
  const auto v = suggest_valley(lr, s, {.skip = 0, .window = 5});
  ASSERT_TRUE(v);
  // 2/3 of the way from 2.5 to 1 is 1.5, at step 30 + 40.
  EXPECT_NEAR(std::log10(v->lr), -5 + 0.05 * 70, 1e-9);
  EXPECT_THAT(v->reason, HasSubstr("2.5 to 1"));
}

TEST(SuggestValley, WigglesWithinTheToleranceDoNotCutTheStretch) {
  // A flat, wiggling start (±0.01, under 5% of the fall of 1), then a linear fall.
  std::vector<double> lr, s;
  for (int i = 0; i < 100; ++i) {
    lr.push_back(std::pow(10.0, -5 + 0.05 * i));
    s.push_back(i < 50 ? 2.0 + 0.01 * ((i % 2) ? 1 : -1) : i < 90 ? 2.0 - (i - 50) / 40.0 : 5.0);
  }
  const auto v = suggest_valley(lr, s, {.skip = 0, .window = 5});
  ASSERT_TRUE(v);
  EXPECT_THAT(v->reason, HasSubstr(fmt::format("over η {:.3g}", lr[0])));
  // From the highest point 2.01 to the lowest 1.025, 2/3 of the way is 1.3533: between step 75
  // (1.375) and step 76 (1.35).
  const double target = 2.01 - 2.0 / 3.0 * (2.01 - 1.025);
  EXPECT_NEAR(std::log10(v->lr), -5 + 0.05 * (75 + (1.375 - target) / 0.025), 1e-9);
}

TEST(SuggestLrs, NothingWhenTheLossNeverFalls) {
  const auto lr = lr_grid();
  std::vector<double> rising;
  for (std::size_t i = 0; i < lr.size(); ++i)
    rising.push_back(1.0 + 0.01 * static_cast<double>(i));
  EXPECT_TRUE(suggest_lrs(lr, rising, kSettings).empty());
}

TEST(SuggestLrs, AllRulesInOrderAndTheSkippedStartIsIgnored) {
  const auto lr = lr_grid();
  std::vector<double> s = sampled(lr, curve);
  s[0] = 100;   // a wild first average: skipped, it must not become the valley's top
  s[1] = 0.01;  // nor the minimum
  const auto all = suggest_lrs(lr, s, kSettings);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].rule, "steep");
  EXPECT_EQ(all[1].rule, "minimum");
  EXPECT_EQ(all[2].rule, "valley");
  EXPECT_EQ(all[1].lr, suggest_minimum(lr, sampled(lr, curve), kSettings)->lr);
  EXPECT_EQ(all[2].lr, suggest_valley(lr, sampled(lr, curve), kSettings)->lr);
}

TEST(SuggestLrs, ANonFiniteLastPointIsLeftOut) {
  const auto lr = lr_grid();
  std::vector<double> s = sampled(lr, curve);
  s.back() = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(suggest_lrs(lr, s, kSettings).size(), 3u);
}

TEST(SuggestLrs, RejectsMismatchedOrNonPositiveInput) {
  EXPECT_THROW(suggest_lrs({1e-3, 1e-2}, {1.0}, kSettings), InvalidArgument);
  EXPECT_THROW(suggest_lrs({0.0, 1e-2}, {1.0, 0.5}, kSettings), InvalidArgument);
  EXPECT_THROW(suggest_lrs({std::nan(""), 1e-2}, {1.0, 0.5}, kSettings), InvalidArgument);
}

}  // namespace
}  // namespace descent
