#include "core/ops/dropout.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/parallel.h"
#include "ops_fixture.h"

namespace descent {
namespace {

using testing::random_tensor;

TEST(Dropout, IdentityWhenNotTrainingOrRateZeroAndDrawsNothing) {
  Rng rng(71);
  const Rng::State before = rng.state();
  Variable x(Tensor({3}, {1, 2, 3}), true);
  EXPECT_EQ(dropout(x, 0.5f, false, rng).node(), x.node());
  EXPECT_EQ(dropout(x, 0.0f, true, rng).node(), x.node());
  EXPECT_EQ(rng.state(), before);
}

TEST(Dropout, RejectsRatesOutsideZeroToOne) {
  Rng rng(72);
  Variable x(Tensor({3}));
  for (float rate : {-0.1f, 1.0f, 1.5f, std::nanf("")})
    EXPECT_THROW(dropout(x, rate, true, rng), InvalidArgument) << rate;
  EXPECT_THROW(dropout(x, 1.0f, false, rng), InvalidArgument);
}

TEST(Dropout, KeepsAboutOneMinusRateAndScalesTheRest) {
  Rng rng(73);
  const float rate = 0.3f;
  const std::int64_t n = 2 * kParallelGrain + 11;
  Variable x(random_tensor({n}, rng, 0.5, 1.5), true);
  Variable y = dropout(x, rate, true, rng);
  std::int64_t kept = 0;
  double total_in = 0.0, total_out = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    total_in += x.value()[i];
    total_out += y.value()[i];
    if (y.value()[i] == 0.0f) continue;
    ++kept;
    ASSERT_FLOAT_EQ(y.value()[i], x.value()[i] / (1.0f - rate)) << i;
  }
  // Binomial(n, 0.7): standard deviation ≈ 117; allow five of them.
  EXPECT_NEAR(static_cast<double>(kept), 0.7 * n, 600.0);
  EXPECT_NEAR(total_out / total_in, 1.0, 0.02);  // inverted dropout keeps the expectation
}

TEST(Dropout, GradientIsTheMaskTimesTheScale) {
  Rng rng(74);
  const float rate = 0.5f;
  Variable x(random_tensor({4, 50}, rng, 0.5, 1.5), true);
  Variable y = dropout(x, rate, true, rng);
  const Tensor seed = random_tensor({4, 50}, rng);
  const Tensor out = y.value();
  y.backward(seed);
  for (std::int64_t i = 0; i < out.size(); ++i) {
    const float mask = out[i] == 0.0f ? 0.0f : 2.0f;
    EXPECT_EQ(x.grad()[i], seed[i] * mask) << i;
  }
}

TEST(Dropout, SameSeedGivesSameMaskAndTheStreamMovesOn) {
  Variable x(Tensor({1000}, 1.0f));
  Rng a(75), b(75);
  const Tensor first = dropout(x, 0.4f, true, a).value();
  const Tensor same = dropout(x, 0.4f, true, b).value();
  const Tensor next = dropout(x, 0.4f, true, a).value();
  std::int64_t differs = 0;
  for (std::int64_t i = 0; i < first.size(); ++i) {
    ASSERT_EQ(first[i], same[i]);
    differs += first[i] != next[i];
  }
  EXPECT_GT(differs, 100);
}

}  // namespace
}  // namespace descent
