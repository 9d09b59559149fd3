#include "core/ops/reduce.h"

#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/random.h"
#include "float64_gradcheck.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::expect_gradcheck_float64;
using testing::expect_matches_torch;
using testing::NamedInputs;
using testing::random_tensor;

TEST(Reduce, MeanAndSumMatchTorch) {
  for (const std::string name : {"mean_matrix", "mean_4d", "mean_single"})
    expect_matches_torch(name,
                         [](NamedInputs& in, const nlohmann::json&) { return mean(in.at("x")); });
  expect_matches_torch("sum_matrix",
                       [](NamedInputs& in, const nlohmann::json&) { return sum(in.at("x")); });
}

TEST(Reduce, MeanGradcheckInDoubleAtTorchTolerances) {
  Rng rng(6);
  for (const Shape& shape : {Shape{3, 4}, Shape{2, 3, 2, 2}, Shape{1}, Shape{7}}) {
    SCOPED_TRACE(shape_string(shape));
    expect_gradcheck_float64(
        [](std::vector<Variable>& in) { return mean(in[0]); },
        [](const auto& x) {
          return std::vector<double>{std::accumulate(x[0].begin(), x[0].end(), 0.0) /
                                     static_cast<double>(x[0].size())};
        },
        {Variable(random_tensor(shape, rng), true)}, rng.next());
  }
}

// x = [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[12, ...]]]: shape (2, 3, 4), x[i] = i.
Variable iota(const Shape& shape) {
  Tensor t(shape);
  for (std::int64_t i = 0; i < t.size(); ++i)
    t[i] = static_cast<float>(i);
  return Variable(t, true);
}

TEST(ReduceAxes, SumAndMeanOverAnySetOfAxes) {
  const Variable x = iota({2, 3, 4});
  const Tensor rows = sum(x, {-1}).value();
  ASSERT_EQ(rows.shape(), (Shape{2, 3}));
  EXPECT_EQ(rows[0], 6.0f);
  EXPECT_EQ(rows[5], 20.0f + 21 + 22 + 23);
  const Tensor outer = sum(x, {0, 2}, true).value();
  ASSERT_EQ(outer.shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(outer[1], 4.0f + 5 + 6 + 7 + 16 + 17 + 18 + 19);
  const Tensor middle = mean(x, {1}).value();
  ASSERT_EQ(middle.shape(), (Shape{2, 4}));
  EXPECT_EQ(middle[0], 4.0f);  // (0 + 4 + 8) / 3
  EXPECT_EQ(sum(x, {0, 1, 2}).value().shape(), Shape{});
  EXPECT_EQ(sum(x, {2, 0, 1}).item(), 276.0f);
}

TEST(ReduceAxes, MaxAndMinShareTheGradientAmongTies) {
  Variable x(Tensor({2, 3}, {1, 5, 5, -2, 0, -2}), true);
  const Variable top = max(x, {1}), bottom = min(x, {-1}, true);
  EXPECT_EQ(top.value()[0], 5.0f);
  EXPECT_EQ(bottom.value().shape(), (Shape{2, 1}));
  EXPECT_EQ(bottom.value()[1], -2.0f);
  sum(add(top, sum(bottom, {1}))).backward();
  // max of row 0 ties at 5 (two shares of 1/2); min of row 0 is 1; min of row 1 ties at -2.
  const std::vector<float> expected{1, 0.5f, 0.5f, 0.5f, 1, 0.5f};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(x.grad()[static_cast<std::int64_t>(i)], expected[i]) << i;
}

TEST(ReduceAxes, MaxPropagatesANaN) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor y = max(Variable(Tensor({2, 2}, {nan, 1, 2, nan})), {1}).value();
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_TRUE(std::isnan(y[1]));
}

TEST(ReduceAxes, VarianceIsUnbiasedByDefaultAndBiasedWithCorrectionZero) {
  const Variable x(Tensor({2, 4}, {1, 2, 3, 4, 2, 2, 2, 2}));
  const Tensor unbiased = variance(x, {1}).value();
  EXPECT_FLOAT_EQ(unbiased[0], 5.0f / 3.0f);  // Σ (x - 2.5)² = 5, over 3
  EXPECT_EQ(unbiased[1], 0.0f);
  const Tensor biased = variance(x, {-1}, {.correction = 0, .keepdims = true}).value();
  ASSERT_EQ(biased.shape(), (Shape{2, 1}));
  EXPECT_FLOAT_EQ(biased[0], 1.25f);
  EXPECT_THROW(variance(Variable(Tensor({3, 1})), {1}), InvalidArgument);  // one value, unbiased
}

TEST(ReduceAxes, LogSumExpIsStable) {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor y =
      logsumexp(Variable(Tensor({3, 2}, {1000, 1000, -inf, -inf, 0, std::log(3.0f)})), {1}).value();
  EXPECT_FLOAT_EQ(y[0], 1000.0f + std::log(2.0f));
  EXPECT_EQ(y[1], -inf);
  EXPECT_FLOAT_EQ(y[2], std::log(4.0f));
}

// Above kParallelGrain the result values are split across threads; compare with a serial sum.
TEST(ReduceAxes, LargeReductionMatchesSerialReference) {
  Rng rng(7);
  const Variable x(random_tensor({64, 40, 30}, rng));
  const Tensor y = sum(x, {0, 2}).value();
  for (std::int64_t j = 0; j < 40; ++j) {
    double total = 0.0;
    for (std::int64_t i = 0; i < 64; ++i)
      for (std::int64_t k = 0; k < 30; ++k)
        total += x.value()[(i * 40 + j) * 30 + k];
    EXPECT_EQ(y[j], static_cast<float>(total)) << j;
  }
}

TEST(ReduceAxes, BadAxesAreNamedWithTheShape) {
  const Variable x(Tensor({2, 3}));
  const auto message = [&](const std::function<void()>& call) {
    try {
      call();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([&] { sum(x, {2}); }), "sum: axis 2 is out of range for shape (2, 3)");
  EXPECT_EQ(message([&] { mean(x, {-3}); }), "mean: axis -3 is out of range for shape (2, 3)");
  EXPECT_EQ(message([&] { max(x, {1, -1}); }), "max: axis -1 is given twice for shape (2, 3)");
  EXPECT_EQ(message([&] { logsumexp(x, {}); }), "logsumexp: no axes given for shape (2, 3)");
  EXPECT_EQ(message([&] {
              min(Variable(Tensor({2, 0})), {1});
            }),
            "min: cannot reduce an empty axis of shape (2, 0)");
}

TEST(ReduceAxes, MatchTorch) {
  for (const std::string name : {"sum_axes", "mean_keepdims", "amax_axis", "amin_keepdims",
                                 "var_unbiased", "var_biased_keepdims", "logsumexp_axes"})
    expect_matches_torch(name, [&](NamedInputs& in, const nlohmann::json& p) {
      const Variable& x = in.at("x");
      const Axes axes = p.at("axes").get<Axes>();
      const bool keepdims = p.at("keepdims").get<bool>();
      const std::string op = testing::ops_fixture().at(name).at("op").get<std::string>();
      if (op == "sum") return sum(x, axes, keepdims);
      if (op == "mean") return mean(x, axes, keepdims);
      if (op == "max") return max(x, axes, keepdims);
      if (op == "min") return min(x, axes, keepdims);
      if (op == "logsumexp") return logsumexp(x, axes, keepdims);
      return variance(x, axes,
                      {.correction = p.at("correction").get<std::int64_t>(), .keepdims = keepdims});
    });
}

}  // namespace
}  // namespace descent
