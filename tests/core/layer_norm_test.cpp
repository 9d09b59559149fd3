#include "core/ops/layer_norm.h"

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

TEST(LayerNorm, NormalizesEachRowByItsMeanAndBiasedVariance) {
  // Row 0 holds 1, 3, 5, 7 (mean 4, variance 5); row 1 holds 2, 2, 4, 4 (mean 3, variance 1).
  const Variable x(Tensor({2, 4}, {1, 3, 5, 7, 2, 2, 4, 4}));
  const Variable gamma(Tensor({4}, {1, 2, 1, 2})), beta(Tensor({4}, {0, 0, 10, 10}));
  const Tensor y = layer_norm(x, gamma, beta, 1e-3).value();
  const double s0 = 1 / std::sqrt(5.001), s1 = 1 / std::sqrt(1.001);
  const std::vector<double> expected{-3 * s0, -2 * s0, 10 + s0, 10 + 6 * s0,
                                     -s1,     -2 * s1, 10 + s1, 10 + 2 * s1};
  for (std::int64_t i = 0; i < 8; ++i)
    EXPECT_NEAR(y.at(i), expected[i], 1e-6) << i;
}

// Forward and float32 backward, bitwise, on one thread and on two, with more rows than the
// chunks the parameters' gradients are summed in and a count that does not divide into them.
TEST(LayerNorm, ResultsDoNotDependOnTheThreadCount) {
  const int threads = num_threads();
  const Tensor x0 = random_tensor({3, 331, 40}, DType::f32, 3, -2, 3);
  const Tensor weight = random_tensor(x0.shape(), DType::f32, 4);
  std::vector<std::vector<Tensor>> runs;
  for (const int t : {1, 2}) {
    set_num_threads(t);
    Variable x(x0, true), gamma(random_tensor({40}, DType::f32, 5, 0.5, 2), true),
        beta(random_tensor({40}, DType::f32, 6), true);
    const Variable y = layer_norm(x, gamma, beta, 1e-5);
    sum(mul(y, Variable(weight))).backward();
    runs.push_back({y.value(), x.grad(), gamma.grad(), beta.grad()});
  }
  set_num_threads(threads);
  for (std::size_t k = 0; k < runs[0].size(); ++k)
    for (std::int64_t i = 0; i < runs[0][k].size(); ++i)
      ASSERT_EQ(runs[0][k].at(i), runs[1][k].at(i)) << "result " << k << "[" << i << "]";
}

// The fused op against the same normalization written in element-wise operations, values and
// gradients, on enough rows that the parameters' sums run over every chunk.
TEST(LayerNorm, MatchesTheNormalizationWrittenInElementwiseOperations) {
  const Tensor x0 = random_tensor({200, 24}, DType::f64, 7, -2, 3);
  const Tensor weight = random_tensor(x0.shape(), DType::f64, 8);
  const Tensor g0 = random_tensor({24}, DType::f64, 9, 0.5, 2),
               b0 = random_tensor({24}, DType::f64, 10);
  std::vector<std::vector<Tensor>> runs;
  for (const bool fused : {true, false}) {
    Variable x(x0, true), gamma(g0, true), beta(b0, true);
    const Variable y =
        fused
            ? layer_norm(x, gamma, beta, 1e-5)
            : add(mul(mul(sub(x, mean(x, {1}, true)),
                          exp(mul(
                              log(add(variance(x, {1}, {.correction = 0, .keepdims = true}), 1e-5)),
                              -0.5))),
                      gamma),
                  beta);
    sum(mul(y, Variable(weight))).backward();
    runs.push_back({y.value(), x.grad(), gamma.grad(), beta.grad()});
  }
  for (std::size_t k = 0; k < runs[0].size(); ++k)
    for (std::int64_t i = 0; i < runs[0][k].size(); ++i)
      ASSERT_NEAR(runs[0][k].at(i), runs[1][k].at(i), 1e-12) << "result " << k << "[" << i << "]";
}

// The backward without dx (an input that needs no gradient) still gives γ and β theirs.
TEST(LayerNorm, GammaAndBetaGetTheSameGradientsWhenXNeedsNone) {
  const Tensor x0 = random_tensor({70, 6}, DType::f32, 11);
  const Tensor weight = random_tensor(x0.shape(), DType::f32, 12);
  std::vector<Tensor> grads;
  for (const bool x_needs_grad : {true, false}) {
    Variable gamma(random_tensor({6}, DType::f32, 13, 0.5, 2), true),
        beta(random_tensor({6}, DType::f32, 14), true);
    const Variable y = layer_norm(Variable(x0, x_needs_grad), gamma, beta, 1e-3);
    sum(mul(y, Variable(weight))).backward();
    grads.push_back(gamma.grad());
    grads.push_back(beta.grad());
  }
  for (std::int64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(grads[0].at(i), grads[2].at(i)) << "gamma " << i;
    EXPECT_EQ(grads[1].at(i), grads[3].at(i)) << "beta " << i;
  }
}

TEST(LayerNorm, BadArgumentsAreRefusedByName) {
  const Variable x(Tensor({4, 3}, DType::f32, 1.0)), features(Tensor({3}, DType::f32, 1.0));
  const Variable two(Tensor({2}, DType::f32, 1.0));
  expect_refused(
      [&] {
        layer_norm(Variable(Tensor({3, 0}, DType::f32)), {}, {}, 1e-3);
      },
      "layer_norm: expected (…, features) with features, got (3, 0)");
  expect_refused([&] { layer_norm(x, two, features, 1e-3); },
                 "layer_norm: gamma of shape (2,) for 3 features");
  expect_refused([&] { layer_norm(x, features, two, 1e-3); },
                 "layer_norm: beta of shape (2,) for 3 features");
  expect_refused([&] { layer_norm(x, {}, {}, -1.0); }, "layer_norm: epsilon must be > 0, got -1");
}

}  // namespace
}  // namespace descent
