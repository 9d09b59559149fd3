#include "core/ops/pool.h"

#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradients_match;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;
using testing::weighted_sum;

// Distinct values 0.05 apart in random order: no ties, and no window's max changes under the
// finite-difference step.
Tensor distinct_values(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  std::vector<std::int64_t> order(t.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::int64_t i = t.size() - 1; i > 0; --i)
    std::swap(order[i], order[rng.below(i + 1)]);
  for (std::int64_t i = 0; i < t.size(); ++i)
    t[i] = 0.05f * static_cast<float>(order[i]) - 1.0f;
  return t;
}

TEST(MaxPool2d, MatchesTorchIncludingTies) {
  for (const char* name : {"max_pool2d_2", "max_pool2d_3_stride2", "max_pool2d_2_stride1",
                           "max_pool2d_3_stride1_odd", "max_pool2d_ties"})
    expect_matches_torch(name, [](NamedInputs& in, const nlohmann::json& p) {
      return max_pool2d(in.at("x"), p.at("size").get<int>(), p.at("stride").get<int>());
    });
}

TEST(MaxPool2d, HandComputedValuesAndFirstMaxOnTies) {
  Variable x(Tensor({1, 1, 2, 4}, {1, 3, 5, 5, 3, 2, 0, 5}), true);
  Variable y = max_pool2d(x, 2);
  ASSERT_EQ(y.shape(), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(y.value()[0], 3.0f);
  EXPECT_EQ(y.value()[1], 5.0f);
  y.backward(Tensor({1, 1, 1, 2}, {10.0f, 20.0f}));
  // Window 1 holds 3 at (0,1) and (1,0); window 2 holds 5 three times: the first in row order.
  const std::vector<float> expected = {0, 10, 20, 0, 0, 0, 0, 0};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(x.grad()[i], expected[i]) << i;
}

TEST(MaxPool2d, NaNWinsItsWindowAndTakesTheGradient) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // Window 1: a NaN after a larger value; window 2: a NaN first, a larger value after it.
  Variable x(Tensor({1, 1, 2, 4}, {7, 1, nan, 2, 1, nan, 9, 3}), true);
  Variable y = max_pool2d(x, 2);
  EXPECT_TRUE(std::isnan(y.value()[0]));
  EXPECT_TRUE(std::isnan(y.value()[1]));
  y.backward(Tensor({1, 1, 1, 2}, {10.0f, 20.0f}));
  const std::vector<float> expected = {0, 0, 20, 0, 0, 10, 0, 0};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(x.grad()[i], expected[i]) << i;
}

TEST(MaxPool2d, OverlappingWindowsAddTheirGradients) {
  Variable x(Tensor({1, 1, 3, 3}, {0, 0, 0, 0, 9, 0, 0, 0, 0}), true);
  Variable y = max_pool2d(x, 2, 1);  // all four windows share the centre
  sum(y).backward();
  EXPECT_EQ(x.grad()[4], 4.0f);
  EXPECT_EQ(x.grad()[0], 0.0f);
}

TEST(MaxPool2d, GradientsMatchFiniteDifferences) {
  Rng rng(61);
  for (const auto& [size, stride] : {std::pair{2, 2}, std::pair{3, 2}, std::pair{2, 1}}) {
    Variable x(distinct_values({2, 2, 6, 7}, rng), true);
    const Tensor weight = random_tensor(max_pool2d(x, size, stride).shape(), rng);
    expect_gradients_match(
        // Copies, not the bindings: Clang 14 (the TSan build) cannot capture structured bindings.
        [&, size = size, stride = stride](std::vector<Variable>& in) {
          return weighted_sum(max_pool2d(in[0], size, stride), weight);
        },
        {x});
  }
}

TEST(MaxPool2d, LargeInputMatchesSerialReference) {
  Rng rng(62);
  const Shape shape{4, 8, 32, 33};
  ASSERT_GT(shape_size(shape), kParallelGrain);
  Variable x(random_tensor(shape, rng), true);
  Variable y = max_pool2d(x, 3, 2);
  ASSERT_EQ(y.shape(), (Shape{4, 8, 15, 16}));
  const Tensor seed = random_tensor(y.shape(), rng);
  y.backward(seed);
  // Overlapping windows add up to four gradients: in float in this order on the cpu device, in
  // double rounded once on the reference device.
  std::vector<double> dx(x.value().size(), 0.0);
  const bool in_double = x.value().device() == Device::reference;
  for (std::int64_t p = 0; p < 32; ++p)
    for (std::int64_t oy = 0; oy < 15; ++oy)
      for (std::int64_t ox = 0; ox < 16; ++ox) {
        std::int64_t best = -1;
        for (std::int64_t i = 0; i < 3; ++i)
          for (std::int64_t j = 0; j < 3; ++j) {
            const std::int64_t at = p * 32 * 33 + (oy * 2 + i) * 33 + ox * 2 + j;
            if (best < 0 || x.value()[at] > x.value()[best]) best = at;
          }
        const std::int64_t out = (p * 15 + oy) * 16 + ox;
        ASSERT_EQ(y.value()[out], x.value()[best]);
        dx[best] = in_double ? dx[best] + seed[out]
                             : static_cast<float>(static_cast<float>(dx[best]) + seed[out]);
      }
  for (std::int64_t i = 0; i < x.value().size(); ++i)
    ASSERT_EQ(x.grad()[i], static_cast<float>(dx[i])) << i;
}

TEST(MaxPool2d, RejectsBadArguments) {
  Variable x(Tensor({1, 2, 4, 4}));
  EXPECT_THROW(max_pool2d(Variable(Tensor({2, 4, 4})), 2), InvalidArgument);
  EXPECT_THROW(max_pool2d(x, 0), InvalidArgument);
  try {
    max_pool2d(x, 5);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "max_pool2d: window 5x5 does not fit input (1, 2, 4, 4)");
  }
}

TEST(AvgPool2d, MatchesTorch) {
  for (const char* name : {"avg_pool2d_2", "avg_pool2d_3_stride2", "avg_pool2d_2_stride1",
                           "avg_pool2d_2_stride3", "avg_pool2d_2_odd"})
    expect_matches_torch(
        name,
        [](NamedInputs& in, const nlohmann::json& p) {
          return avg_pool2d(in.at("x"), p.at("size").get<int>(), p.at("stride").get<int>());
        },
        1e-5, testing::pool_conv_fixture());
}

TEST(AvgPool2d, HandComputedValuesAndGradient) {
  // The last column is in no window of size 2.
  Variable x(Tensor({1, 1, 2, 5}, {1, 3, 5, 7, 100, 2, 4, 6, 8, 100}), true);
  Variable y = avg_pool2d(x, 2);
  ASSERT_EQ(y.shape(), (Shape{1, 1, 1, 2}));
  EXPECT_EQ(y.value()[0], 2.5f);
  EXPECT_EQ(y.value()[1], 6.5f);
  y.backward(Tensor({1, 1, 1, 2}, {4.0f, 8.0f}));
  const std::vector<float> expected = {1, 1, 2, 2, 0, 1, 1, 2, 2, 0};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(x.grad()[i], expected[i]) << i;
}

TEST(AvgPool2d, OverlappingWindowsAddTheirGradients) {
  Variable x(Tensor({1, 1, 3, 3}), true);
  sum(avg_pool2d(x, 2, 1)).backward();  // the centre is in all four windows, a corner in one
  EXPECT_EQ(x.grad()[4], 1.0f);
  EXPECT_EQ(x.grad()[0], 0.25f);
  EXPECT_EQ(x.grad()[1], 0.5f);
}

TEST(AvgPool2d, GradientAccumulatesOverTwoUses) {
  Rng rng(63);
  Variable x(random_tensor({2, 3, 6, 5}, rng), true);
  add(sum(avg_pool2d(x, 2)), sum(avg_pool2d(x, 3, 1))).backward();
  Variable x1(x.value(), true), x2(x.value(), true);
  sum(avg_pool2d(x1, 2)).backward();
  sum(avg_pool2d(x2, 3, 1)).backward();
  for (std::int64_t i = 0; i < x.value().size(); ++i)
    EXPECT_NEAR(x.grad()[i], x1.grad()[i] + x2.grad()[i], 1e-6) << i;
}

TEST(AvgPool2d, LargeInputMatchesSerialSums) {
  Rng rng(64);
  const Shape shape{4, 8, 32, 33};
  ASSERT_GT(shape_size(shape), kParallelGrain);
  Variable x(random_tensor(shape, rng), true);
  Variable y = avg_pool2d(x, 3, 2);
  ASSERT_EQ(y.shape(), (Shape{4, 8, 15, 16}));
  const Tensor seed = random_tensor(y.shape(), rng);
  y.backward(seed);
  std::vector<double> dx(x.value().size(), 0.0);
  for (std::int64_t p = 0; p < 32; ++p)
    for (std::int64_t oy = 0; oy < 15; ++oy)
      for (std::int64_t ox = 0; ox < 16; ++ox) {
        double total = 0;
        const std::int64_t out = (p * 15 + oy) * 16 + ox;
        for (std::int64_t i = 0; i < 3; ++i)
          for (std::int64_t j = 0; j < 3; ++j) {
            const std::int64_t at = p * 32 * 33 + (oy * 2 + i) * 33 + ox * 2 + j;
            total += x.value()[at];
            dx[at] += seed[out] / 9.0;
          }
        ASSERT_NEAR(y.value()[out], total / 9.0, 1e-6);
      }
  for (std::int64_t i = 0; i < x.value().size(); ++i)
    ASSERT_NEAR(x.grad()[i], dx[i], 1e-6) << i;
}

TEST(AvgPool2d, RejectsBadArguments) {
  Variable x(Tensor({1, 2, 4, 4}));
  EXPECT_THROW(avg_pool2d(Variable(Tensor({2, 4, 4})), 2), InvalidArgument);
  EXPECT_THROW(avg_pool2d(x, 0), InvalidArgument);
  try {
    avg_pool2d(x, 5);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "avg_pool2d: window 5x5 does not fit input (1, 2, 4, 4)");
  }
}

}  // namespace
}  // namespace descent
