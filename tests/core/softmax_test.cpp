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

// Over an inner axis the result is the last-axis softmax of the tensor with that axis moved last.
TEST(Softmax, OverAnyAxisIsTheLastAxisSoftmaxOfTheMovedAxis) {
  Rng rng(32);
  const Tensor x = random_tensor({2, 3, 4}, rng, -3, 3);
  Tensor moved({2, 4, 3});  // axis 1 moved last
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t k = 0; k < 4; ++k)
        moved[(i * 4 + k) * 3 + j] = x[(i * 3 + j) * 4 + k];
  const Tensor p = softmax(Variable(x), 1).value(), lp = log_softmax(Variable(x), -2).value();
  const Tensor p_last = softmax(Variable(moved)).value(),
               lp_last = log_softmax(Variable(moved)).value();
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t k = 0; k < 4; ++k) {
        EXPECT_EQ(p[(i * 3 + j) * 4 + k], p_last[(i * 4 + k) * 3 + j]);
        EXPECT_EQ(lp[(i * 3 + j) * 4 + k], lp_last[(i * 4 + k) * 3 + j]);
      }
  // The last axis named either way is the same operation.
  EXPECT_EQ(softmax(Variable(x), -1).value().values()[5], softmax(Variable(x)).value()[5]);
}

TEST(Softmax, RejectsABadAxisByName) {
  try {
    softmax(Variable(Tensor({2, 3})), 2);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "softmax: axis 2 is out of range for shape (2, 3)");
  }
  EXPECT_THROW(log_softmax(Variable(Tensor({0, 3})), 0), InvalidArgument);
}

TEST(Softmax, OverAnInnerAxisMatchesTorch) {
  expect_matches_torch("softmax_axis1", [](NamedInputs& in, const nlohmann::json& p) {
    return softmax(in.at("x"), p.at("axis").get<int>());
  });
  expect_matches_torch("log_softmax_axis0", [](NamedInputs& in, const nlohmann::json& p) {
    return log_softmax(in.at("x"), p.at("axis").get<int>());
  });
}

}  // namespace
}  // namespace descent
