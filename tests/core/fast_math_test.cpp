// The cpu kernels' float32 exp and erfc against the standard functions in float64: their error
// bounds over the whole range, and the special values.
#include "core/backend/cpu/fast_math.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace descent::testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double kUlp = 5.960464477539063e-08;  // 2^-24: half the gap above 1 in float32

TEST(FastMath, ExpIsWithinTwoUlpWhereItsResultIsNormal) {
  double worst = 0;
  for (float x = -87.3f; x < 88.7f; x += 1.37e-3f) {
    const double truth = std::exp(double(x));
    worst = std::max(worst, std::abs(cpu::exp(x) - truth) / truth);
  }
  EXPECT_LT(worst, 2 * kUlp);
}

TEST(FastMath, ExpGivesDenormalsZeroAndInfinityAtTheEnds) {
  EXPECT_EQ(cpu::exp(-103.0f), std::exp(-103.0f));  // a denormal, as glibc's
  EXPECT_NEAR(cpu::exp(-90.0f), std::exp(-90.0), 2e-45);
  EXPECT_EQ(cpu::exp(-104.5f), 0.0f);
  EXPECT_EQ(cpu::exp(-kInf), 0.0f);
  EXPECT_NEAR(cpu::exp(88.72f) / std::exp(double(88.72f)), 1.0,
              2 * kUlp);  // 2^128 · e^r, still finite
  EXPECT_EQ(cpu::exp(88.73f), kInf);
  EXPECT_EQ(cpu::exp(kInf), kInf);
  EXPECT_TRUE(std::isnan(cpu::exp(std::nanf(""))));
  EXPECT_EQ(cpu::exp(0.0f), 1.0f);
}

TEST(FastMath, ErfcKeepsItsRelativePrecisionInBothTails) {
  double worst = 0;
  for (float z = -4.0f; z < 4.0f; z += 7.3e-4f) {
    const double truth = std::erfc(double(z));
    worst = std::max(worst, std::abs(cpu::erfc(z) - truth) / truth);
  }
  EXPECT_LT(worst, 1.5e-6);
  for (float z = 4.0f; z < 9.0f; z += 0.013f)  // erfc down to 4e-37
    EXPECT_NEAR(cpu::erfc(z) / std::erfc(double(z)), 1.0, 1e-5) << z;
}

TEST(FastMath, ErfcSpecialValues) {
  EXPECT_EQ(cpu::erfc(kInf), 0.0f);
  EXPECT_EQ(cpu::erfc(-kInf), 2.0f);
  EXPECT_NEAR(cpu::erfc(0.0f), 1.0f, 2e-7);
  EXPECT_TRUE(std::isnan(cpu::erfc(std::nanf(""))));
}

TEST(FastMath, Float64KeepsTheStandardFunctions) {
  EXPECT_EQ(cpu::exp(0.3), std::exp(0.3));
  EXPECT_EQ(cpu::erfc(0.3), std::erfc(0.3));
}

}  // namespace
}  // namespace descent::testing
