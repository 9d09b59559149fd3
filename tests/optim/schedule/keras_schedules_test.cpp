// Keras's schedules against their published formulas, written out by hand here.
#include <cmath>
#include <numbers>

#include <gtest/gtest.h>

#include "core/error.h"
#include "optim/schedule/cosine_decay.h"
#include "optim/schedule/cosine_decay_restarts.h"
#include "optim/schedule/exponential_decay.h"
#include "optim/schedule/inverse_time_decay.h"
#include "optim/schedule/keras_legacy_decay.h"
#include "optim/schedule/piecewise_constant_decay.h"
#include "optim/schedule/polynomial_decay.h"
#include "schedule_test_util.h"

namespace descent {
namespace {

using schedule_test::close;
constexpr double kPi = std::numbers::pi;

TEST(ExponentialDecay, MatchesFormulaSmoothAndStaircase) {
  const ExponentialDecay smooth(0.1, {.decay_steps = 10, .decay_rate = 0.5});
  const ExponentialDecay stairs(0.1, {.decay_steps = 10, .decay_rate = 0.5, .staircase = true});
  for (std::int64_t t = 0; t <= 100; ++t) {
    EXPECT_TRUE(close(smooth.lr(t), 0.1 * std::pow(0.5, t / 10.0))) << t;
    EXPECT_TRUE(close(stairs.lr(t), 0.1 * std::pow(0.5, std::floor(t / 10.0)))) << t;
  }
  EXPECT_DOUBLE_EQ(stairs.lr(19), 0.05);
  EXPECT_DOUBLE_EQ(stairs.lr(20), 0.025);
}

TEST(PiecewiseConstantDecay, BoundariesBelongToTheLowerInterval) {
  const PiecewiseConstantDecay s({.boundaries = {100, 110}, .values = {1.0, 0.5, 0.1}});
  EXPECT_EQ(s.lr(0), 1.0);
  EXPECT_EQ(s.lr(100), 1.0);
  EXPECT_EQ(s.lr(101), 0.5);
  EXPECT_EQ(s.lr(110), 0.5);
  EXPECT_EQ(s.lr(111), 0.1);
  EXPECT_EQ(s.lr(100000), 0.1);
  EXPECT_THROW(PiecewiseConstantDecay({.boundaries = {10}, .values = {1.0}}), InvalidArgument);
  EXPECT_THROW(PiecewiseConstantDecay({.boundaries = {10, 10}, .values = {1, 2, 3}}),
               InvalidArgument);
}

TEST(PolynomialDecay, MatchesFormulaWithAndWithoutCycle) {
  const double lr0 = 0.1, end = 0.01, power = 0.5;
  const PolynomialDecay plain(lr0, {.decay_steps = 40, .end_learning_rate = end, .power = power});
  const PolynomialDecay cyc(
      lr0, {.decay_steps = 40, .end_learning_rate = end, .power = power, .cycle = true});
  for (std::int64_t t = 0; t <= 130; ++t) {
    const double step = std::min<double>(t, 40);
    EXPECT_TRUE(close(plain.lr(t), (lr0 - end) * std::pow(1 - step / 40, power) + end)) << t;
    const double d = t == 0 ? 40 : 40 * std::ceil(t / 40.0);
    EXPECT_TRUE(close(cyc.lr(t), (lr0 - end) * std::pow(1 - t / d, power) + end)) << t;
  }
  EXPECT_TRUE(close(plain.lr(1000), end));
  EXPECT_GT(cyc.lr(41), cyc.lr(40));  // the restart
}

TEST(InverseTimeDecay, MatchesFormulaSmoothAndStaircase) {
  const InverseTimeDecay smooth(0.1, {.decay_steps = 5, .decay_rate = 0.5});
  const InverseTimeDecay stairs(0.1, {.decay_steps = 5, .decay_rate = 0.5, .staircase = true});
  for (std::int64_t t = 0; t <= 60; ++t) {
    EXPECT_TRUE(close(smooth.lr(t), 0.1 / (1 + 0.5 * t / 5.0))) << t;
    EXPECT_TRUE(close(stairs.lr(t), 0.1 / (1 + 0.5 * std::floor(t / 5.0)))) << t;
  }
}

TEST(KerasLegacyDecay, IsLrOverOnePlusDecayTimesT) {
  const KerasLegacyDecay s(0.01, {.decay = 1e-3});
  for (std::int64_t t : {0, 1, 10, 999, 100000}) {
    EXPECT_TRUE(close(s.lr(t), 0.01 / (1 + 1e-3 * t))) << t;
  }
  EXPECT_THROW(KerasLegacyDecay(0.01, {.decay = -1}), InvalidArgument);
}

TEST(CosineDecay, MatchesFormulaAndStaysAtAlphaAfterDecaySteps) {
  const CosineDecay s(0.2, {.decay_steps = 50, .alpha = 0.1});
  for (std::int64_t t = 0; t <= 80; ++t) {
    const double step = std::min<double>(t, 50);
    const double cosine = 0.5 * (1 + std::cos(kPi * step / 50));
    EXPECT_TRUE(close(s.lr(t), 0.2 * ((1 - 0.1) * cosine + 0.1))) << t;
  }
  EXPECT_TRUE(close(s.lr(80), 0.02));
}

TEST(CosineDecay, LinearWarmupToTargetThenCosineAsKeras3) {
  const CosineDecay s(
      0.0, {.decay_steps = 100, .alpha = 0.05, .warmup_target = 0.4, .warmup_steps = 20});
  for (std::int64_t t = 0; t < 20; ++t)
    EXPECT_TRUE(close(s.lr(t), 0.4 * t / 20.0)) << t;
  for (std::int64_t t = 20; t <= 150; ++t) {
    const double step = std::min<double>(t, 120) - 20;
    const double cosine = 0.5 * (1 + std::cos(kPi * step / 100));
    EXPECT_TRUE(close(s.lr(t), 0.4 * ((1 - 0.05) * cosine + 0.05))) << t;
  }
  EXPECT_TRUE(close(s.lr(20), 0.4));
  // Warmup from a nonzero η0.
  const CosineDecay w(0.01, {.decay_steps = 10, .warmup_target = 0.11, .warmup_steps = 4});
  EXPECT_TRUE(close(w.lr(1), 0.01 + 0.1 / 4));
  EXPECT_THROW(CosineDecay(0.0, {.decay_steps = 10}), InvalidArgument);  // η0 0 needs warmup
}

// Keras's formula, with the restart index computed exactly in integer arithmetic.
double restarts_reference(double lr0, std::int64_t first, double t_mul, double m_mul, double alpha,
                          std::int64_t t) {
  double start = 0, period = static_cast<double>(first);
  int i = 0;
  while (t >= start + period) {
    start += period;
    period *= t_mul;
    ++i;
  }
  const double fraction = (t - start) / period;
  const double cosine = 0.5 * std::pow(m_mul, i) * (1 + std::cos(kPi * fraction));
  return lr0 * ((1 - alpha) * cosine + alpha);
}

TEST(CosineDecayRestarts, MatchesFormulaIncludingExactRestartSteps) {
  struct Case {
    std::int64_t first;
    double t_mul, m_mul, alpha;
  };
  for (const Case c : {Case{10, 2.0, 1.0, 0.0}, Case{10, 2.0, 0.5, 0.1}, Case{7, 1.0, 0.8, 0.05},
                       Case{4, 3.0, 0.9, 0.0}, Case{8, 1.5, 1.0, 0.2}}) {
    SCOPED_TRACE(testing::Message() << "first " << c.first << " t_mul " << c.t_mul);
    const CosineDecayRestarts s(
        0.1, {.first_decay_steps = c.first, .t_mul = c.t_mul, .m_mul = c.m_mul, .alpha = c.alpha});
    for (std::int64_t t = 0; t <= 400; ++t) {
      ASSERT_TRUE(close(s.lr(t), restarts_reference(0.1, c.first, c.t_mul, c.m_mul, c.alpha, t)))
          << "t=" << t;
    }
  }
  // first 10, t_mul 2: restarts at 10, 30, 70 (where log(8)/log(2) < 3 in floating point).
  const CosineDecayRestarts s(1.0, {.first_decay_steps = 10, .m_mul = 0.5});
  EXPECT_DOUBLE_EQ(s.lr(10), 0.5);
  EXPECT_DOUBLE_EQ(s.lr(30), 0.25);
  EXPECT_DOUBLE_EQ(s.lr(70), 0.125);
}

TEST(KerasSchedules, RejectInvalidParameters) {
  EXPECT_THROW(ExponentialDecay(0.1, {.decay_steps = 0, .decay_rate = 0.5}), InvalidArgument);
  EXPECT_THROW(ExponentialDecay(0.1, {.decay_steps = 10, .decay_rate = 0}), InvalidArgument);
  EXPECT_THROW(InverseTimeDecay(0.1, {.decay_steps = 10, .decay_rate = -0.5}), InvalidArgument);
  EXPECT_THROW(PolynomialDecay(0.1, {.decay_steps = 10, .power = 0}), InvalidArgument);
  EXPECT_THROW(CosineDecay(0.1, {.decay_steps = 10, .alpha = 1.5}), InvalidArgument);
  EXPECT_THROW(CosineDecay(0.1, {.decay_steps = 10, .warmup_target = -1.0}), InvalidArgument);
  EXPECT_THROW(CosineDecayRestarts(0.1, {.first_decay_steps = 10, .t_mul = 0.5}), InvalidArgument);
  EXPECT_THROW(ExponentialDecay(-0.1, {.decay_steps = 10, .decay_rate = 0.5}), InvalidArgument);
  EXPECT_THROW(ExponentialDecay(0.1, {.decay_steps = 10, .decay_rate = 0.5}).lr(-1),
               InvalidArgument);
}

}  // namespace
}  // namespace descent
