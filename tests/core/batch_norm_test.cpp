#include "core/ops/batch_norm.h"

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "autograd_checks.h"
#include "core/error.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "expect_refused.h"

namespace descent {
namespace {

using autograd_checks::random_tensor;
using testing::expect_refused;

TEST(BatchNorm, NormalizesEachChannelByTheBatchMeanAndBiasedVariance) {
  // Channel 0 holds 1, 3, 5, 7 (mean 4, variance 5); channel 1 holds 2, 2, 4, 4 (mean 3, var 1).
  const Variable x(Tensor({2, 2, 1, 2}, {1, 3, 2, 2, 5, 7, 4, 4}));
  const Variable gamma(Tensor({2}, {2, 1})), beta(Tensor({2}, {0, 10}));
  const BatchNorm out = batch_norm(x, gamma, beta, 1e-3);
  EXPECT_FLOAT_EQ(out.mean.at(0), 4.0f);
  EXPECT_FLOAT_EQ(out.mean.at(1), 3.0f);
  EXPECT_FLOAT_EQ(out.variance.at(0), 5.0f);
  EXPECT_FLOAT_EQ(out.variance.at(1), 1.0f);
  const double s0 = 2 / std::sqrt(5.001), s1 = 1 / std::sqrt(1.001);
  const std::vector<double> expected{-3 * s0, -1 * s0, 10 - s1, 10 - s1,
                                     1 * s0,  3 * s0,  10 + s1, 10 + s1};
  for (std::int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(out.y.value().at(i), expected[i], 1e-6) << i;
}

TEST(BatchNorm, ChannelAffineScalesAndShiftsEachChannel) {
  const Variable x(Tensor({2, 2}, {1, 2, 3, 4}));
  const Tensor y =
      channel_affine(x, Variable(Tensor({2}, {10, -1})), Variable(Tensor({2}, {1, 0}))).value();
  EXPECT_EQ(y.at(0), 11.0f);
  EXPECT_EQ(y.at(1), -2.0f);
  EXPECT_EQ(y.at(2), 31.0f);
  EXPECT_EQ(y.at(3), -4.0f);
}

// Forward, statistics and float32 backward, bitwise, on one thread and on two (a tensor large
// enough to be split across threads).
TEST(BatchNorm, ResultsDoNotDependOnTheThreadCount) {
  const int threads = num_threads();
  const Tensor x0 = random_tensor({32, 5, 17, 17}, DType::f32, 3, -2, 3);
  const Tensor weight = random_tensor(x0.shape(), DType::f32, 4);
  std::vector<std::vector<Tensor>> runs;
  for (const int t : {1, 2}) {
    set_num_threads(t);
    Variable x(x0, true), gamma(random_tensor({5}, DType::f32, 5, 0.5, 2), true),
        beta(random_tensor({5}, DType::f32, 6), true);
    const BatchNorm out = batch_norm(x, gamma, beta, 1e-5);
    sum(mul(out.y, Variable(weight))).backward();
    runs.push_back({out.y.value(), out.mean, out.variance, x.grad(), gamma.grad(), beta.grad()});
  }
  set_num_threads(threads);
  for (std::size_t k = 0; k < runs[0].size(); ++k)
    for (std::int64_t i = 0; i < runs[0][k].size(); ++i)
      ASSERT_EQ(runs[0][k].at(i), runs[1][k].at(i)) << "result " << k << "[" << i << "]";
}

// The backward without dx (an input that needs no gradient) still gives γ and β theirs.
TEST(BatchNorm, GammaAndBetaGetTheSameGradientsWhenXNeedsNone) {
  const Tensor x0 = random_tensor({6, 4, 3, 3}, DType::f32, 7);
  const Tensor weight = random_tensor(x0.shape(), DType::f32, 8);
  std::vector<Tensor> grads;
  for (const bool x_needs_grad : {true, false}) {
    Variable gamma(random_tensor({4}, DType::f32, 9, 0.5, 2), true),
        beta(random_tensor({4}, DType::f32, 10), true);
    const BatchNorm out = batch_norm(Variable(x0, x_needs_grad), gamma, beta, 1e-3);
    sum(mul(out.y, Variable(weight))).backward();
    grads.push_back(gamma.grad());
    grads.push_back(beta.grad());
  }
  for (std::int64_t i = 0; i < 4; ++i) {
    EXPECT_EQ(grads[0].at(i), grads[2].at(i)) << "gamma " << i;
    EXPECT_EQ(grads[1].at(i), grads[3].at(i)) << "beta " << i;
  }
}

TEST(BatchNorm, BadArgumentsAreRefusedByName) {
  const Variable x(Tensor({4, 3}, DType::f32, 1.0)), per_channel(Tensor({3}, DType::f32, 1.0));
  const Variable two(Tensor({2}, DType::f32, 1.0));
  expect_refused([&] { batch_norm(Variable(Tensor({3}, DType::f32)), {}, {}, 1e-3); },
                 "batch_norm: expected (batch, channels, ...) with values, got (3,)");
  expect_refused([&] { batch_norm(x, two, per_channel, 1e-3); },
                 "batch_norm: gamma of shape (2,) for 3 channels");
  expect_refused([&] { batch_norm(x, per_channel, two, 1e-3); },
                 "batch_norm: beta of shape (2,) for 3 channels");
  expect_refused([&] { batch_norm(x, {}, {}, 0.0); }, "batch_norm: epsilon must be > 0, got 0");
  expect_refused([&] { channel_affine(x, per_channel, {}); },
                 "channel_affine: needs a scale and a shift");
  expect_refused([&] { channel_affine(x, two, per_channel); },
                 "channel_affine: scale of shape (2,) for 3 channels");
}

}  // namespace
}  // namespace descent
