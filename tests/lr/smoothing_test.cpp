#include "lr/smoothing.h"

#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/non_finite.h"

namespace descent {
namespace {

using ::testing::ElementsAre;

TEST(Smooth, ZeroBetaIsTheIdentity) {
  EXPECT_THAT(smooth({1, 4, 2}, 0), ElementsAre(1, 4, 2));
}

TEST(Smooth, BiasCorrectedMovingAverage) {
  // m1 = 0.5, out 0.5 / 0.5 = 1; m2 = 0.25 + 1.5 = 1.75, out 1.75 / 0.75.
  const std::vector<double> out = smooth({1, 3}, 0.5);
  EXPECT_DOUBLE_EQ(out[0], 1);
  EXPECT_DOUBLE_EQ(out[1], 1.75 / 0.75);
}

TEST(Smooth, NonFiniteValuesBreakTheLineAndAreSkipped) {
  const std::vector<double> out = smooth({1, kNaN, 3, kInf}, 0.5);
  EXPECT_DOUBLE_EQ(out[0], 1);
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_DOUBLE_EQ(out[2], 1.75 / 0.75);
  EXPECT_TRUE(std::isnan(out[3]));
}

TEST(Smooth, RejectsBetaOutsideUnitInterval) {
  EXPECT_THROW(smooth({1}, 1.0), InvalidArgument);
  EXPECT_THROW(smooth({1}, -0.1), InvalidArgument);
  EXPECT_THROW(smooth({1}, kNaN), InvalidArgument);
}

TEST(BiasCorrectedAverage, OneValueAtATimeEqualsTheSeries) {
  const std::vector<double> values = {2, 1, kNaN, 0.5, 3};
  const std::vector<double> whole = smooth(values, 0.9);
  BiasCorrectedAverage average(0.9);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = average.add(values[i]);
    if (std::isnan(whole[i]))
      EXPECT_TRUE(std::isnan(v));
    else
      EXPECT_EQ(v, whole[i]);
  }
}

TEST(BiasCorrectedAverage, AConstantIsItsOwnAverageFromTheFirstValue) {
  BiasCorrectedAverage average(0.98);
  for (int i = 0; i < 5; ++i)
    EXPECT_NEAR(average.add(2.5), 2.5, 1e-12);
}

}  // namespace
}  // namespace descent
