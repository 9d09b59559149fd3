#include "nn/dense.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {
namespace {

TEST(Dense, BuildsKernelAndZeroBiasWithGlorotLimit) {
  Dense layer(64, {.activation = "relu"});
  Rng rng(3);
  EXPECT_EQ(layer.build({100}, rng), (Shape{64}));
  const auto params = layer.parameters();
  ASSERT_EQ(params.size(), 2u);
  const double limit = std::sqrt(6.0 / (100 + 64));
  double largest = 0;
  for (float w : params[0].variable.value().values())
    largest = std::max(largest, double(std::abs(w)));
  EXPECT_LE(largest, limit);
  EXPECT_GT(largest, 0.9 * limit);  // 6400 draws reach close to the limit
  for (float b : params[1].variable.value().values())
    EXPECT_EQ(b, 0.0f);
}

TEST(Dense, ForwardAppliesActivation) {
  Dense layer(2, {.activation = "relu",
                  .kernel_initializer = constant(1.0f),
                  .bias_initializer = constant(-1.0f)});
  Rng rng;
  layer.build({2}, rng);
  Variable x(Tensor({2, 2}, {1, 2, -3, 0}));
  const Variable y = layer.forward(x, false);
  EXPECT_FLOAT_EQ(y.value()[0], 2.0f);  // 1 + 2 - 1
  EXPECT_FLOAT_EQ(y.value()[2], 0.0f);  // relu(-3 - 1)
}

TEST(Dense, RejectsWrongInputWidthAndBadUnits) {
  EXPECT_THROW(Dense(0), InvalidArgument);
  EXPECT_THROW(Dense(3, {.activation = "swishy"}), InvalidArgument);
  Dense layer(3);
  Rng rng;
  layer.build({4}, rng);
  Variable x(Tensor({2, 5}));
  EXPECT_THROW(layer.forward(x, false), InvalidArgument);
}

TEST(Regularizer, PenaltyTermsAndGradientsFollowKeras) {
  Variable w(Tensor({3}, {1.0f, -2.0f, 0.5f}), true);
  const Variable l2 = L2(0.01).penalty(w);
  EXPECT_NEAR(l2.item(), 0.01 * (1 + 4 + 0.25), 1e-7);
  Variable(l2).backward();
  EXPECT_FLOAT_EQ(w.grad()[1], 2 * 0.01f * -2.0f);
  w.zero_grad();
  const Variable l1 = L1L2(0.1, 0.0).penalty(w);
  EXPECT_NEAR(l1.item(), 0.1 * 3.5, 1e-7);
  Variable(l1).backward();
  EXPECT_FLOAT_EQ(w.grad()[1], -0.1f);
  EXPECT_FALSE(Regularizer{}.penalty(w).defined());
}

TEST(Regularizer, ParsesAndRejects) {
  EXPECT_DOUBLE_EQ(Regularizer::parse("l2:0.05").l2, 0.05);
  EXPECT_DOUBLE_EQ(Regularizer::parse("l1l2:0.1,0.2").l1, 0.1);
  EXPECT_THROW(Regularizer::parse("l3:1"), InvalidArgument);
  EXPECT_THROW(Regularizer::parse("l2:-1"), InvalidArgument);
  EXPECT_THROW(Regularizer::parse("l2:abc"), InvalidArgument);
}

TEST(Initializer, HeNormalHasTheIntendedVariance) {
  Tensor w({400, 300});
  Rng rng(5);
  Initializer{Initializer::Kind::he_normal}.fill(w, rng);
  double sum = 0, squares = 0;
  for (float v : w.values()) {
    sum += v;
    squares += double(v) * v;
  }
  const double n = double(w.size()), variance = squares / n - (sum / n) * (sum / n);
  EXPECT_NEAR(variance, 2.0 / 400, 0.05 * 2.0 / 400);
  EXPECT_THROW(Initializer::parse("uniformish"), InvalidArgument);
  EXPECT_EQ(Initializer::parse("constant:0.5").value, 0.5f);
}

// GPT-2's N(0, 0.02²), not truncated: about 4.6% of the values lie beyond two standard deviations.
TEST(Initializer, NormalHasTheGivenStandardDeviationUntruncated) {
  const Initializer init = Initializer::parse("normal:0.02");
  EXPECT_EQ(init.name(), "normal:0.02");
  Tensor w({400, 300});
  Rng rng(5);
  init.fill(w, rng);
  double squares = 0, beyond = 0;
  for (float v : w.values()) {
    squares += double(v) * v;
    beyond += std::abs(v) > 0.04f ? 1.0 : 0.0;
  }
  EXPECT_NEAR(std::sqrt(squares / double(w.size())), 0.02, 0.0005);
  EXPECT_NEAR(beyond / double(w.size()), 0.0455, 0.005);
  EXPECT_THROW(Initializer::parse("normal"), InvalidArgument);
  EXPECT_THROW(Initializer::parse("normal:-1"), InvalidArgument);
  EXPECT_THROW(Initializer::parse("normal:x"), InvalidArgument);
}

}  // namespace
}  // namespace descent
