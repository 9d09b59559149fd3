#include "core/ops/softmax.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops/where.h"
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

// A causal softmax is the softmax of the scores with the later keys filled with -inf: the same
// weights, the same gradient, without the mask.
TEST(CausalSoftmax, IsTheSoftmaxOfTheScoresWithTheLaterKeysMasked) {
  Rng rng(33);
  for (const Shape& shape : {Shape{2, 3, 5, 5}, Shape{4, 6}, Shape{2, 7, 3}}) {
    const Tensor x = random_tensor(shape, rng, -3, 3);
    const Tensor dy = random_tensor(shape, rng);
    const std::int64_t queries = shape[shape.size() - 2], keys = shape.back();
    Tensor later({queries, keys});  // 1 at key s > query t
    for (std::int64_t t = 0; t < queries; ++t)
      for (std::int64_t s = 0; s < keys; ++s)
        later[t * keys + s] = s > t ? 1.0f : 0.0f;
    Variable a(x, true), b(x, true);
    Variable causal = causal_softmax(a);
    Variable masked = softmax(masked_fill(b, later, -INFINITY));
    causal.backward(dy);
    masked.backward(dy);
    const auto p = causal.value().values(), q = masked.value().values();
    const auto da = a.grad().values(), db = b.grad().values();
    for (std::size_t i = 0; i < p.size(); ++i) {
      EXPECT_EQ(p[i], q[i]) << shape_string(shape) << " at " << i;
      EXPECT_EQ(da[i], db[i]) << shape_string(shape) << " at " << i;
      if (later[static_cast<std::int64_t>(i) % (queries * keys)] == 1.0f) {
        EXPECT_EQ(p[i], 0.0);
        EXPECT_EQ(da[i], 0.0);
      }
    }
  }
}

TEST(CausalSoftmax, RejectsScoresWithoutQueriesAndKeys) {
  try {
    causal_softmax(Variable(Tensor({3})));
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "causal_softmax: needs scores of shape (…, queries, keys) with keys, got (3,)");
  }
  EXPECT_THROW(causal_softmax(Variable(Tensor({3, 0}))), InvalidArgument);
}

}  // namespace
}  // namespace descent
