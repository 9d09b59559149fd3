#include "core/ops/activation.h"

#include <cmath>

#include <gtest/gtest.h>

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

TEST(Activation, MatchesTorch) {
  expect_matches_torch("relu",
                       [](NamedInputs& in, const nlohmann::json&) { return relu(in.at("x")); });
  expect_matches_torch("leaky_relu", [](NamedInputs& in, const nlohmann::json& p) {
    return leaky_relu(in.at("x"), p.at("slope").get<float>());
  });
  expect_matches_torch("sigmoid",
                       [](NamedInputs& in, const nlohmann::json&) { return sigmoid(in.at("x")); });
  expect_matches_torch("tanh",
                       [](NamedInputs& in, const nlohmann::json&) { return tanh(in.at("x")); });
}

TEST(Activation, GeluAndSiluMatchTorch) {
  expect_matches_torch("gelu",
                       [](NamedInputs& in, const nlohmann::json&) { return gelu(in.at("x")); });
  expect_matches_torch("gelu_tanh", [](NamedInputs& in, const nlohmann::json&) {
    return gelu(in.at("x"), GeluApproximation::tanh);
  });
  expect_matches_torch("silu",
                       [](NamedInputs& in, const nlohmann::json&) { return silu(in.at("x")); });
}

TEST(Activation, HandComputedValues) {
  Variable x(Tensor({4}, {-2.0f, -0.0f, 0.5f, 3.0f}));
  EXPECT_EQ(relu(x).value()[0], 0.0f);
  EXPECT_EQ(relu(x).value()[3], 3.0f);
  EXPECT_FLOAT_EQ(leaky_relu(x, 0.3f).value()[0], -0.6f);
  EXPECT_FLOAT_EQ(leaky_relu(x).value()[0], -0.02f);
  EXPECT_FLOAT_EQ(sigmoid(x).value()[1], 0.5f);
  EXPECT_FLOAT_EQ(tanh(x).value()[2], std::tanh(0.5f));
}

TEST(Activation, SigmoidStaysFiniteAndAccurateAtExtremes) {
  Variable x(Tensor({4}, {-1000.0f, -90.0f, 90.0f, 1000.0f}), true);
  Variable y = sigmoid(x);
  EXPECT_EQ(y.value()[0], 0.0f);
  EXPECT_FLOAT_EQ(y.value()[1], std::exp(-90.0f));  // not flushed to 0 by 1 - e^-x
  EXPECT_EQ(y.value()[2], 1.0f);
  EXPECT_EQ(y.value()[3], 1.0f);
  sum(y).backward();
  for (float g : x.grad().values())
    EXPECT_TRUE(std::isfinite(g));
}

TEST(Activation, ReluGradientIsZeroAtZero) {
  Variable x(Tensor({2}, {0.0f, 1.0f}), true);
  sum(relu(x)).backward();
  EXPECT_EQ(x.grad()[0], 0.0f);
  EXPECT_EQ(x.grad()[1], 1.0f);
}

TEST(Activation, GradientsMatchFiniteDifferences) {
  Rng rng(21);
  const Tensor w = random_tensor({4, 5}, rng);
  auto check = [&](auto op, Tensor x) {
    expect_gradients_match([&](std::vector<Variable>& in) { return weighted_sum(op(in[0]), w); },
                           {Variable(std::move(x), true)});
  };
  check([](const Variable& x) { return relu(x); }, testing::away_from_zero({4, 5}, rng));
  check([](const Variable& x) { return leaky_relu(x, 0.3f); },
        testing::away_from_zero({4, 5}, rng));
  check([](const Variable& x) { return sigmoid(x); }, random_tensor({4, 5}, rng, -4, 4));
  check([](const Variable& x) { return tanh(x); }, random_tensor({4, 5}, rng, -2, 2));
}

TEST(Activation, LargeInputsRunInParallelWithSameResults) {
  Rng rng(22);
  const std::int64_t n = 3 * kParallelGrain + 5;
  Variable x(random_tensor({n}, rng, -5, 5), true);
  Tensor seed = random_tensor({n}, rng);
  Variable y = sigmoid(x);
  y.backward(seed);
  for (std::int64_t i = 0; i < n; i += 97) {
    const float s = 1.0f / (1.0f + std::exp(-x.value()[i]));
    ASSERT_NEAR(y.value()[i], s, 1e-6f);
    ASSERT_NEAR(x.grad()[i], seed[i] * s * (1 - s), 1e-6f);
  }
}

}  // namespace
}  // namespace descent
