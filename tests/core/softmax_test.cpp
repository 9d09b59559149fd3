#include "core/ops/softmax.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradients_match;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;
using testing::weighted_sum;

TEST(Softmax, MatchesTorch) {
  for (const char* name : {"softmax", "softmax_large"})
    expect_matches_torch(
        name, [](NamedInputs& in, const nlohmann::json&) { return softmax(in.at("x")); });
  for (const char* name : {"log_softmax", "log_softmax_large"})
    expect_matches_torch(
        name, [](NamedInputs& in, const nlohmann::json&) { return log_softmax(in.at("x")); });
}

TEST(Softmax, RowsSumToOneAndLogSoftmaxIsItsLog) {
  Variable x(Tensor({2, 3}, {1, 2, 3, -1000, 0, 1000}));
  const Tensor p = softmax(x).value(), lp = log_softmax(x).value();
  EXPECT_FLOAT_EQ(p[0] + p[1] + p[2], 1.0f);
  EXPECT_FLOAT_EQ(p[5], 1.0f);
  EXPECT_EQ(p[3], 0.0f);
  EXPECT_FLOAT_EQ(lp[1], std::log(p[1]));
  EXPECT_FLOAT_EQ(lp[3], -2000.0f);  // finite, where log(softmax) would be -inf
}

TEST(Softmax, GradientsMatchFiniteDifferences) {
  Rng rng(31);
  const Tensor w = random_tensor({2, 3, 4}, rng);
  expect_gradients_match([&](std::vector<Variable>& in) { return weighted_sum(softmax(in[0]), w); },
                         {Variable(random_tensor({2, 3, 4}, rng, -2, 2), true)});
  expect_gradients_match(
      [&](std::vector<Variable>& in) { return weighted_sum(log_softmax(in[0]), w); },
      {Variable(random_tensor({2, 3, 4}, rng, -2, 2), true)});
}

TEST(Softmax, RejectsAScalar) {
  EXPECT_THROW(softmax(Variable(Tensor(Shape{}, {1.0f}))), InvalidArgument);
  EXPECT_THROW(log_softmax(Variable(Tensor({3, 0}))), InvalidArgument);
}

}  // namespace
}  // namespace descent
