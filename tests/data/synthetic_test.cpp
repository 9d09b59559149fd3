#include "data/synthetic.h"

#include <cmath>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

std::vector<int> class_counts(const Dataset& d) {
  std::vector<int> counts(d.num_classes);
  for (std::int32_t l : d.labels)
    ++counts[l];
  return counts;
}

TEST(Synthetic, ClassificationSetsHaveTheDocumentedShape) {
  for (const Dataset& d : {two_spirals(201, 0.1, 1), moons(201, 0.1, 1), xor_set(201, 0.1, 1)}) {
    EXPECT_EQ(d.size(), 201);
    EXPECT_EQ(d.sample_shape, (Shape{2}));
    EXPECT_EQ(d.num_classes, 2);
    EXPECT_NO_THROW(d.validate("synthetic"));
  }
  EXPECT_EQ(class_counts(two_spirals(201, 0.1, 1)), (std::vector<int>{101, 100}));
  EXPECT_EQ(class_counts(moons(201, 0.1, 1)), (std::vector<int>{100, 101}));
}

TEST(Synthetic, SameSeedSameSamples) {
  EXPECT_EQ(two_spirals(100, 0.2, 9).values, two_spirals(100, 0.2, 9).values);
  EXPECT_EQ(moons(100, 0.2, 9).labels, moons(100, 0.2, 9).labels);
  EXPECT_NE(moons(100, 0.2, 9).values, moons(100, 0.2, 10).values);
  EXPECT_EQ(xor_set(100, 0.2, 9).values, xor_set(100, 0.2, 9).values);
  const std::vector<double> w = {1.0, -2.0};
  EXPECT_EQ(linear_regression(50, w, 0.5, 0.1, 3).targets,
            linear_regression(50, w, 0.5, 0.1, 3).targets);
  EXPECT_EQ(tutorial_two_class(4).values, tutorial_two_class(4).values);
  EXPECT_NE(tutorial_two_class(4).labels, tutorial_two_class(5).labels);
}

TEST(Synthetic, SpiralsWithoutNoiseLieOnTheirArms) {
  const Dataset d = two_spirals(400, 0.0, 2);
  for (std::int64_t i = 0; i < d.size(); ++i) {
    const double x = d.values[2 * i], y = d.values[2 * i + 1];
    const double t = std::hypot(x, y);
    ASSERT_LE(t, 1.0 + 1e-6);
    const double expected = 3.0 * std::numbers::pi * t + d.labels[i] * std::numbers::pi;
    // The angle of the point equals the arm's angle, modulo 2*pi.
    const double diff = std::remainder(std::atan2(y, x) - expected, 2.0 * std::numbers::pi);
    EXPECT_NEAR(diff, 0.0, 1e-4) << "sample " << i;
  }
}

TEST(Synthetic, MoonsWithoutNoiseLieOnTheirHalfCircles) {
  const Dataset d = moons(101, 0.0, 3);
  for (std::int64_t i = 0; i < d.size(); ++i) {
    const double x = d.values[2 * i], y = d.values[2 * i + 1];
    if (d.labels[i] == 0) {
      EXPECT_NEAR(x * x + y * y, 1.0, 1e-5);
      EXPECT_GE(y, -1e-6);
    } else {
      EXPECT_NEAR((x - 1) * (x - 1) + (y - 0.5) * (y - 0.5), 1.0, 1e-5);
      EXPECT_LE(y, 0.5 + 1e-6);
    }
  }
  // Samples are shuffled, not grouped by class.
  EXPECT_NE(d.labels[0] + d.labels[1] + d.labels[2] + d.labels[3], 0);
}

TEST(Synthetic, XorLabelsFollowTheQuadrant) {
  const Dataset d = xor_set(1000, 0.0, 4);
  for (std::int64_t i = 0; i < d.size(); ++i) {
    const float x = d.values[2 * i], y = d.values[2 * i + 1];
    ASSERT_TRUE(x >= -1 && x < 1 && y >= -1 && y < 1);
    EXPECT_EQ(d.labels[i], (x > 0) != (y > 0) ? 1 : 0);
  }
  const std::vector<int> counts = class_counts(d);
  EXPECT_GT(counts[0], 420);
  EXPECT_GT(counts[1], 420);
}

TEST(Synthetic, LinearRegressionHasTheGivenCoefficients) {
  const std::vector<double> w = {2.0, -3.0, 0.5};
  const Dataset exact = linear_regression(20, w, 1.5, 0.0, 5);
  EXPECT_EQ(exact.sample_shape, (Shape{3}));
  EXPECT_EQ(exact.target_width, 1);
  EXPECT_NO_THROW(exact.validate("linear"));
  for (std::int64_t i = 0; i < exact.size(); ++i) {
    const float* x = exact.values.data() + 3 * i;
    EXPECT_NEAR(exact.targets[i], 2.0 * x[0] - 3.0 * x[1] + 0.5 * x[2] + 1.5, 1e-5);
  }
  // With noise, the sample mean of the residual is the bias within a few standard errors.
  const Dataset noisy = linear_regression(4000, w, 1.5, 0.3, 6);
  double residual = 0, square = 0;
  for (std::int64_t i = 0; i < noisy.size(); ++i) {
    const float* x = noisy.values.data() + 3 * i;
    const double r = noisy.targets[i] - (2.0 * x[0] - 3.0 * x[1] + 0.5 * x[2]);
    residual += r;
    square += (r - 1.5) * (r - 1.5);
  }
  EXPECT_NEAR(residual / noisy.size(), 1.5, 0.03);
  EXPECT_NEAR(std::sqrt(square / noisy.size()), 0.3, 0.02);
}

TEST(Synthetic, TutorialTwoClassMatchesTheDeeplizardConstruction) {
  const Dataset d = tutorial_two_class(0);
  ASSERT_EQ(d.size(), 2100);
  EXPECT_EQ(d.sample_shape, (Shape{1}));
  EXPECT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.class_names.size(), 2u);
  EXPECT_NO_THROW(d.validate("tutorial"));
  int young[2] = {0, 0}, old[2] = {0, 0};
  for (std::int64_t i = 0; i < d.size(); ++i) {
    const double age = d.values[i] * 87.0 + 13.0;
    ASSERT_NEAR(age, std::round(age), 1e-4) << "sample " << i;
    ASSERT_GE(std::round(age), 13);
    ASSERT_LE(std::round(age), 100);
    (std::round(age) <= 64 ? young : old)[d.labels[i]]++;
  }
  EXPECT_EQ(young[0], 1000);
  EXPECT_EQ(young[1], 50);
  EXPECT_EQ(old[0], 50);
  EXPECT_EQ(old[1], 1000);
}

TEST(Synthetic, RejectsBadArguments) {
  EXPECT_THROW(moons(-1, 0.1, 0), InvalidArgument);
  EXPECT_THROW(two_spirals(10, -0.1, 0), InvalidArgument);
  EXPECT_THROW(xor_set(10, std::nan(""), 0), InvalidArgument);
  EXPECT_THROW(linear_regression(10, {}, 0.0, 0.1, 0), InvalidArgument);
  EXPECT_EQ(moons(0, 0.1, 0).size(), 0);
}

}  // namespace
}  // namespace descent
