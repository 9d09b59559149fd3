// Convention::keras and XOptions::keras(): each rule against Keras's published update
// (keras/optimizers/*.py, Keras 3), written out by hand here in double over a few steps with
// changing gradients, weight decay applied as Keras does (w -= w·λ·η before the update).
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "optim/adadelta.h"
#include "optim/adagrad.h"
#include "optim/adam.h"
#include "optim/adamax.h"
#include "optim/adamw.h"
#include "optim/lion.h"
#include "optim/nadam.h"
#include "optim/rmsprop.h"
#include "optim/sgd.h"

namespace descent {
namespace {

constexpr int kSteps = 4;
constexpr int kSize = 3;

// Gradient at step t (1-based) for element i, depending on w: varied signs and magnitudes.
double grad_at(int t, int i, double w) {
  static const double base[kSize] = {0.8, -0.3, 0.0};
  return base[i] + 0.5 * w + 0.1 * t * (i == 1 ? -1 : 1);
}

// Runs `optimizer` and the hand-written `keras_step(t, i, w, g)` side by side.
template <class Rule, class Step>
void expect_same_as_keras(Rule& optimizer, Step keras_step) {
  std::vector<double> w = {0.5, -1.0, 0.25}, expected = w, g(kSize);
  for (int t = 1; t <= kSteps; ++t) {
    for (int i = 0; i < kSize; ++i)
      g[i] = grad_at(t, i, w[i]);
    for (int i = 0; i < kSize; ++i)
      expected[i] = keras_step(t, i, expected[i], g[i]);
    optimizer.step(std::span<double>(w), std::span<double>(g));
    for (int i = 0; i < kSize; ++i)
      ASSERT_NEAR(w[i], expected[i], 1e-13 * std::max(1.0, std::abs(expected[i])))
          << "step " << t << ", element " << i;
  }
}

TEST(KerasConvention, SgdKeepsTheLearningRateInTheVelocity) {
  const double lr = 0.05, mu = 0.9, wd = 0.01;
  for (bool nesterov : {false, true}) {
    SCOPED_TRACE(nesterov ? "nesterov" : "momentum");
    BasicSGD<double> sgd({.lr = lr,
                          .momentum = mu,
                          .weight_decay = wd,
                          .nesterov = nesterov,
                          .convention = Convention::keras});
    std::vector<double> v(kSize, 0.0);
    expect_same_as_keras(sgd, [&](int, int i, double w, double g) {
      w -= w * wd * lr;
      v[i] = mu * v[i] - lr * g;
      return nesterov ? w + mu * v[i] - lr * g : w + v[i];
    });
  }
}

TEST(KerasConvention, SgdVelocityDiffersFromPyTorchBufferWhenTheLearningRateChanges) {
  std::vector<double> wk = {1.0}, wp = {1.0}, g = {1.0};
  BasicSGD<double> keras({.lr = 0.1, .momentum = 0.9, .convention = Convention::keras});
  BasicSGD<double> torch({.lr = 0.1, .momentum = 0.9});
  keras.step(wk, g);
  torch.step(wp, g);
  EXPECT_DOUBLE_EQ(wk[0], wp[0]);  // same while η is constant
  keras.set_lr(0.01);
  torch.set_lr(0.01);
  keras.step(wk, g);
  torch.step(wp, g);
  EXPECT_DOUBLE_EQ(wk[0], 0.9 - (0.9 * 0.1 + 0.01));  // v = 0.9·(−0.1) − 0.01
  EXPECT_DOUBLE_EQ(wp[0], 0.9 - 0.01 * (0.9 + 1.0));  // b = 0.9·1 + 1, w −= η·b
}

TEST(KerasConvention, AdagradPutsEpsilonInsideTheRoot) {
  const AdagradOptions o = AdagradOptions::keras();
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.initial_accumulator_value, 0.1);
  EXPECT_EQ(o.eps, 1e-7);
  AdagradOptions big = o;
  big.lr = 0.1;
  big.eps = 0.05;  // large enough to matter
  big.weight_decay = 0.02;
  BasicAdagrad<double> adagrad(big);
  std::vector<double> acc(kSize, 0.1);
  expect_same_as_keras(adagrad, [&](int, int i, double w, double g) {
    w -= w * 0.02 * 0.1;
    acc[i] += g * g;
    return w - 0.1 * g / std::sqrt(acc[i] + 0.05);
  });
}

TEST(KerasConvention, AdadeltaHasKerasDefaultsAndTheSameRule) {
  AdadeltaOptions o = AdadeltaOptions::keras();
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.rho, 0.95);
  EXPECT_EQ(o.eps, 1e-7);
  o.lr = 0.5;
  o.eps = 1e-3;
  o.weight_decay = 0.01;
  BasicAdadelta<double> adadelta(o);
  std::vector<double> acc_grad(kSize, 0.0), acc_delta(kSize, 0.0);
  auto rms = [&](double x) { return std::sqrt(x + 1e-3); };
  expect_same_as_keras(adadelta, [&](int, int i, double w, double g) {
    w -= w * 0.01 * 0.5;
    acc_grad[i] = 0.95 * acc_grad[i] + 0.05 * g * g;
    const double delta = -rms(acc_delta[i]) * g / rms(acc_grad[i]);
    acc_delta[i] = 0.95 * acc_delta[i] + 0.05 * delta * delta;
    return w + 0.5 * delta;
  });
}

TEST(KerasConvention, RmspropCenteredWithMomentum) {
  RMSpropOptions o = RMSpropOptions::keras();
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.alpha, 0.9);
  EXPECT_EQ(o.eps, 1e-7);
  o.lr = 0.01;
  o.eps = 1e-2;
  o.momentum = 0.8;
  o.centered = true;
  BasicRMSprop<double> rmsprop(o);
  std::vector<double> velocity(kSize, 0.0), average(kSize, 0.0), momentum(kSize, 0.0);
  expect_same_as_keras(rmsprop, [&](int, int i, double w, double g) {
    velocity[i] = 0.9 * velocity[i] + 0.1 * g * g;
    average[i] = 0.9 * average[i] + 0.1 * g;
    const double increment = 0.01 * g / std::sqrt(velocity[i] - average[i] * average[i] + 1e-2);
    momentum[i] = 0.8 * momentum[i] + increment;
    return w - momentum[i];
  });
}

TEST(KerasConvention, AdamUsesEpsilonHatAndAmsgrad) {
  AdamOptions o = AdamOptions::keras();
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.eps, 1e-7);
  o.lr = 0.05;
  o.eps = 0.01;
  o.amsgrad = true;
  o.weight_decay = 0.1;
  BasicAdam<double> adam(o);
  std::vector<double> m(kSize, 0.0), v(kSize, 0.0), v_hat(kSize, 0.0);
  expect_same_as_keras(adam, [&](int t, int i, double w, double g) {
    w -= w * 0.1 * 0.05;
    const double alpha = 0.05 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
    m[i] += (g - m[i]) * (1 - 0.9);
    v[i] += (g * g - v[i]) * (1 - 0.999);
    v_hat[i] = std::max(v_hat[i], v[i]);
    return w - m[i] * alpha / (std::sqrt(v_hat[i]) + 0.01);
  });
}

TEST(KerasConvention, AdamwDefaultsAndDecoupledDecay) {
  AdamWOptions o = AdamWOptions::keras();
  EXPECT_EQ(o.weight_decay, 0.004);
  EXPECT_EQ(o.eps, 1e-7);
  o.lr = 0.02;
  o.eps = 0.01;
  BasicAdamW<double> adamw(o);
  std::vector<double> m(kSize, 0.0), v(kSize, 0.0);
  expect_same_as_keras(adamw, [&](int t, int i, double w, double g) {
    w -= w * 0.004 * 0.02;
    const double alpha = 0.02 * std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
    m[i] += (g - m[i]) * (1 - 0.9);
    v[i] += (g * g - v[i]) * (1 - 0.999);
    return w - m[i] * alpha / (std::sqrt(v[i]) + 0.01);
  });
}

TEST(KerasConvention, AdamaxAddsEpsilonToTheDenominator) {
  AdamaxOptions o = AdamaxOptions::keras();
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.eps, 1e-7);
  o.lr = 0.05;
  o.eps = 0.1;
  BasicAdamax<double> adamax(o);
  std::vector<double> m(kSize, 0.0), u(kSize, 0.0);
  expect_same_as_keras(adamax, [&](int t, int i, double w, double g) {
    m[i] = 0.9 * m[i] + (1 - 0.9) * g;
    u[i] = std::max(0.999 * u[i], std::abs(g));
    return w - 0.05 / (1 - std::pow(0.9, t)) * m[i] / (u[i] + 0.1);
  });
}

TEST(KerasConvention, NadamUsesTheFastMomentumSchedule) {
  NAdamOptions o = NAdamOptions::keras();
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.eps, 1e-7);
  EXPECT_EQ(o.momentum_decay, 1.0);
  o.lr = 0.05;
  o.eps = 0.01;
  o.weight_decay = 0.03;
  BasicNAdam<double> nadam(o);
  std::vector<double> m(kSize, 0.0), v(kSize, 0.0);
  double u_product = 1.0;
  int last_t = 0;
  expect_same_as_keras(nadam, [&](int t, int i, double w, double g) {
    w -= w * 0.03 * 0.05;
    const double u_t = 0.9 * (1 - 0.5 * std::pow(0.96, t));
    const double u_t1 = 0.9 * (1 - 0.5 * std::pow(0.96, t + 1));
    if (t != last_t) u_product *= u_t;  // once per step, as Keras's _backend_update_step
    last_t = t;
    const double u_product_t1 = u_product * u_t1;
    m[i] += (g - m[i]) * (1 - 0.9);
    v[i] += (g * g - v[i]) * (1 - 0.999);
    const double m_hat = u_t1 * m[i] / (1 - u_product_t1) + (1 - u_t) * g / (1 - u_product);
    const double v_hat = v[i] / (1 - std::pow(0.999, t));
    return w - m_hat * 0.05 / (std::sqrt(v_hat) + 0.01);
  });
}

TEST(KerasConvention, LionHasKerasDefaultLearningRate) {
  const LionOptions o = LionOptions::keras();
  EXPECT_EQ(o.lr, 1e-3);
  BasicLion<double> lion({.lr = 0.01, .betas = {0.9, 0.99}, .weight_decay = 0.5});
  std::vector<double> m(kSize, 0.0);
  expect_same_as_keras(lion, [&](int, int i, double w, double g) {
    w -= w * 0.5 * 0.01;
    const double c = m[i] * 0.9 + g * (1 - 0.9);
    w -= 0.01 * ((c > 0) - (c < 0));
    m[i] = m[i] * 0.99 + g * (1 - 0.99);
    return w;
  });
}

}  // namespace
}  // namespace descent
