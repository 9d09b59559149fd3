#include "lr/verdict.h"

#include <cmath>
#include <limits>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

// A training curve that falls from `start` towards `floor` at `rate` per step, with a
// deterministic ±`noise` relative wiggle (a pseudo-random sequence, the same for every run).
std::vector<double> falling(int steps, double start, double floor, double rate,
                            double noise = 0.0) {
  std::vector<double> out;
  std::uint64_t state = 12345;
  for (int t = 0; t < steps; ++t) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
    const double clean = floor + (start - floor) * std::exp(-rate * t);
    out.push_back(clean * (1.0 + noise * (2.0 * u - 1.0)));
  }
  return out;
}

std::optional<std::string> first_divergence(const std::vector<double>& losses, long& at) {
  DivergenceCheck check;
  at = 0;
  for (double loss : losses) {
    ++at;
    if (auto reason = check.add(loss)) return reason;
  }
  return std::nullopt;
}

TEST(Verdict, Names) {
  EXPECT_EQ(to_string(Verdict::good), "good");
  EXPECT_EQ(to_string(Verdict::too_high), "too high");
  EXPECT_EQ(to_string(Verdict::too_low), "too low");
  EXPECT_EQ(to_string(Verdict::diverged), "diverged");
}

TEST(DivergenceCheck, NonFiniteLossDivergesAtThatStep) {
  long at = 0;
  const auto reason =
      first_divergence({2.3, 2.2, 2.1, std::numeric_limits<double>::quiet_NaN(), 1.0}, at);
  ASSERT_TRUE(reason);
  EXPECT_EQ(at, 4);
  EXPECT_EQ(*reason, "step 4: loss nan");
  EXPECT_TRUE(first_divergence({2.3, std::numeric_limits<double>::infinity()}, at));
  EXPECT_EQ(at, 2);
}

TEST(DivergenceCheck, SmoothedLossAboveOneAndAHalfTimesTheStartStopsAtOnce) {
  // S_4 = (0.9³·0.1·2.3 + 0.9²·0.1·2.3 + 0.9·0.1·2.3 + 0.1·10) / (1 − 0.9⁴) = 4.54 > 1.5 · 2.3.
  long at = 0;
  const auto reason = first_divergence({2.3, 2.3, 2.3, 10.0, 20.0, 40.0}, at);
  ASSERT_TRUE(reason);
  EXPECT_EQ(at, 4);
  EXPECT_THAT(*reason, HasSubstr("step 4: loss 10, smoothed 4.54 > 1.5 × start 2.3"));
  // A loss that doubles every step is caught at its second step.
  EXPECT_TRUE(first_divergence({1.0, 2.0}, at));
  EXPECT_EQ(at, 2);
}

TEST(DivergenceCheck, StartLevelIsTheMeanOfTheFirstTenSteps) {
  // Ten steps at 1, a fall to 0.1, then a climb back: up to 1.45 is not divergence (it is
  // measured against the start, not the best), above 1.5 is.
  std::vector<double> losses(10, 1.0);
  for (int t = 0; t < 50; ++t)
    losses.push_back(0.1);
  std::vector<double> below = losses, above = losses;
  for (int t = 0; t < 100; ++t) {
    below.push_back(1.45);
    above.push_back(1.6);
  }
  long at = 0;
  EXPECT_FALSE(first_divergence(below, at));
  EXPECT_TRUE(first_divergence(above, at));
  EXPECT_GT(at, 60);
}

TEST(DivergenceCheck, NoisyFlatLossIsNotDivergence) {
  long at = 0;
  EXPECT_FALSE(first_divergence(falling(2000, 1.0, 1.0, 0.0, 0.4), at));
}

TEST(DivergenceCheck, KeepsReportingOnceDiverged) {
  DivergenceCheck check;
  check.add(1.0);
  ASSERT_TRUE(check.add(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(*check.add(0.5), "step 2: loss nan");
}

TEST(JudgeRuns, TooLowGoodTooHighDiverged) {
  const std::vector<double> lrs = {1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0};
  std::vector<double> unstable = falling(200, 2.3, 0.3, 0.05);
  for (int t = 100; t < 200; ++t)
    unstable[t] = 0.3 + ((t / 10) % 2 ? 0.0 : 1.2);  // bounces between 1.5 and 0.3
  std::vector<double> exploding = falling(30, 2.3, 0.3, 0.05);
  for (int t = 0; t < 10; ++t)
    exploding.push_back(exploding.back() * 3);
  const std::vector<std::vector<double>> losses = {
      falling(200, 2.3, 0.2, 0.0002, 0.02),  // barely moves
      falling(200, 2.3, 0.2, 0.01, 0.02),    // most of the way, slower
      falling(200, 2.3, 0.2, 0.03, 0.02),    // most of the way
      falling(200, 2.3, 0.2, 0.1, 0.02),     // fastest
      unstable,
      exploding,
  };
  const auto j = judge_runs(lrs, losses);
  ASSERT_EQ(j.size(), 6u);
  EXPECT_EQ(j[0].verdict, Verdict::too_low) << j[0].reason;
  EXPECT_EQ(j[1].verdict, Verdict::good) << j[1].reason;
  EXPECT_EQ(j[2].verdict, Verdict::good) << j[2].reason;
  EXPECT_EQ(j[3].verdict, Verdict::good) << j[3].reason;
  EXPECT_EQ(j[4].verdict, Verdict::too_high) << j[4].reason;
  EXPECT_EQ(j[5].verdict, Verdict::diverged) << j[5].reason;
  EXPECT_THAT(j[0].reason, HasSubstr("of the sweep's largest fall, 2.06 at η = 0.1"));
  EXPECT_THAT(j[0].reason, HasSubstr("a larger η (limit 67%)"));
  EXPECT_THAT(j[3].reason, HasSubstr("the largest fall of the sweep"));
  EXPECT_THAT(j[4].reason, HasSubstr("in the second half of the run"));
  EXPECT_THAT(j[5].reason, HasSubstr("× start"));
}

TEST(JudgeRuns, TooLowFractionIsTheBoundary) {
  // Progress 2.0 for the best run; 1.3 (65%) is too low, 1.4 (70%) is good.
  const std::vector<double> best(100, 0.3), slower(100, 1.0), faster(100, 0.9);
  std::vector<std::vector<double>> runs = {slower, best};
  runs[0][0] = runs[1][0] = 2.3;
  const auto low = judge_runs({0.01, 0.1}, runs, {.smoothing = 0.0});
  EXPECT_EQ(low[0].verdict, Verdict::too_low) << low[0].reason;
  EXPECT_THAT(low[0].reason,
              HasSubstr("fell 1.3 (2.3 → 1): 65% of the sweep's largest fall, 2 at η = 0.1"));
  runs[0] = faster;
  runs[0][0] = 2.3;
  EXPECT_EQ(judge_runs({0.01, 0.1}, runs, {.smoothing = 0.0})[0].verdict, Verdict::good);
  EXPECT_EQ(judge_runs({0.01, 0.1}, runs, {.smoothing = 0.0, .too_low_fraction = 0.75})[0].verdict,
            Verdict::too_low);
}

TEST(JudgeRuns, AnUnstableRunThatFellFurthestIsTheYardstick) {
  // η = 1 bounces near the end (too high) but got far lower than η = 0.01 ever did: η = 0.01 is
  // too low, not the best of the sweep.
  std::vector<double> bouncing = falling(200, 0.7, 0.05, 0.05);
  for (int t = 150; t < 170; ++t)
    bouncing[t] = 0.6;
  const auto j = judge_runs({0.01, 1.0}, {falling(200, 0.7, 0.4, 0.005), bouncing});
  EXPECT_EQ(j[1].verdict, Verdict::too_high) << j[1].reason;
  EXPECT_EQ(j[0].verdict, Verdict::too_low) << j[0].reason;
  EXPECT_THAT(j[0].reason, HasSubstr("at η = 1, a larger η"));
}

TEST(JudgeRuns, LittleProgressAboveTheBestEtaIsTooHigh) {
  // A large step that gets stuck (dead units): steady, but it hardly learns.
  std::vector<double> stuck(200, 2.0);
  stuck[0] = 2.3;
  const auto j = judge_runs({0.1, 3.0}, {falling(200, 2.3, 0.2, 0.05), stuck});
  EXPECT_EQ(j[0].verdict, Verdict::good);
  EXPECT_EQ(j[1].verdict, Verdict::too_high) << j[1].reason;
  EXPECT_THAT(j[1].reason, HasSubstr("a smaller η"));
}

TEST(JudgeRuns, EndingWellAboveItsBestIsTooHigh) {
  // Falls to 0.2 in the first quarter, then creeps back up to 0.9 (steadily: no oscillation).
  std::vector<double> losses;
  for (int t = 0; t < 50; ++t)
    losses.push_back(2.3 - 2.1 * t / 49.0);
  for (int t = 0; t < 150; ++t)
    losses.push_back(0.2 + 0.7 * t / 149.0);
  const auto j = judge_runs({0.5}, {losses});
  EXPECT_EQ(j[0].verdict, Verdict::too_high);
  EXPECT_THAT(j[0].reason, HasSubstr("above its best"));
}

TEST(JudgeRuns, NoiseAtALowLossIsNotInstability) {
  // Down to 0.01 with ±60% batch-to-batch noise: large relative wiggles, small absolute ones.
  const auto j = judge_runs({0.1}, {falling(500, 0.7, 0.01, 0.05, 0.6)});
  EXPECT_EQ(j[0].verdict, Verdict::good) << j[0].reason;
}

TEST(JudgeRuns, NoRunReducingTheLossMakesEveryStableRunTooLow) {
  const std::vector<double> flat(50, 1.0);
  const auto j = judge_runs({1e-5, 1e-4}, {flat, flat});
  EXPECT_EQ(j[0].verdict, Verdict::too_low);
  EXPECT_EQ(j[1].verdict, Verdict::too_low);
  EXPECT_THAT(j[1].reason, HasSubstr("no run reduced the loss"));
}

TEST(JudgeRuns, EveryRunDivergedLeavesNoBest) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto j = judge_runs({1.0, 2.0}, {{1.0, nan}, {1.0, 5.0}});
  EXPECT_EQ(j[0].verdict, Verdict::diverged);
  EXPECT_EQ(j[1].verdict, Verdict::diverged);
}

// Three runs whose training losses all fall well (each good by the training rules alone).
std::vector<std::vector<double>> three_good_runs() {
  return {falling(200, 2.3, 0.2, 0.05), falling(200, 2.3, 0.2, 0.06), falling(200, 2.3, 0.2, 0.07)};
}

TEST(JudgeRuns, GoodTrainingButSeveralTimesTheBestValidationLossIsNotGood) {
  const std::vector<double> lrs = {0.01, 0.03, 0.1};
  for (const RunJudgement& j : judge_runs(lrs, three_good_runs()))
    ASSERT_EQ(j.verdict, Verdict::good) << j.reason;
  // The case: a run with 6× the best validation loss was called good.
  const auto below = judge_runs(lrs, three_good_runs(), {}, {0.6, 0.1, 0.15});
  EXPECT_EQ(below[0].verdict, Verdict::too_low) << below[0].reason;
  EXPECT_THAT(below[0].reason,
              HasSubstr("but its validation loss 0.6 is 6.0× the sweep's best, 0.1 at η = 0.03 "
                        "(limit 2×), a larger η"));
  EXPECT_THAT(below[0].reason, HasSubstr("steady"));  // the training side is still told
  EXPECT_EQ(below[1].verdict, Verdict::good) << below[1].reason;
  EXPECT_EQ(below[2].verdict, Verdict::good) << below[2].reason;  // 1.5×: within the limit
  const auto above = judge_runs(lrs, three_good_runs(), {}, {0.15, 0.1, 0.25});
  EXPECT_EQ(above[0].verdict, Verdict::good) << above[0].reason;
  EXPECT_EQ(above[2].verdict, Verdict::too_high) << above[2].reason;
  EXPECT_THAT(above[2].reason, HasSubstr("2.5× the sweep's best, 0.1 at η = 0.03 (limit 2×), a "
                                         "smaller η"));
}

TEST(JudgeRuns, ValLossFactorIsTheBoundary) {
  const std::vector<double> lrs = {0.01, 0.03, 0.1};
  // Exactly 2× the best is still good; a little more is not.
  EXPECT_EQ(judge_runs(lrs, three_good_runs(), {}, {0.2, 0.1, 0.1})[0].verdict, Verdict::good);
  EXPECT_EQ(judge_runs(lrs, three_good_runs(), {}, {0.201, 0.1, 0.1})[0].verdict, Verdict::too_low);
  EXPECT_EQ(
      judge_runs(lrs, three_good_runs(), {.val_loss_factor = 1.2}, {0.15, 0.1, 0.1})[0].verdict,
      Verdict::too_low);
}

TEST(JudgeRuns, ValidationOnlyJudgesRunsTheTrainingLossCallsGood) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // η = 3 diverged: its (tiny) validation loss is not the yardstick, and it stays diverged. η = 1
  // has no finite validation loss: not good.
  std::vector<std::vector<double>> runs = three_good_runs();
  runs.push_back(runs[0]);
  runs.push_back({2.3, 2.0, 50.0});
  const auto j = judge_runs({0.01, 0.03, 0.1, 1.0, 3.0}, runs, {}, {0.15, 0.1, 0.12, nan, 0.001});
  EXPECT_EQ(j[0].verdict, Verdict::good) << j[0].reason;
  EXPECT_EQ(j[2].verdict, Verdict::good) << j[2].reason;
  EXPECT_EQ(j[3].verdict, Verdict::too_high) << j[3].reason;
  EXPECT_THAT(j[3].reason, HasSubstr("its validation loss is nan"));
  EXPECT_EQ(j[4].verdict, Verdict::diverged) << j[4].reason;
}

TEST(JudgeRuns, RejectsBadInput) {
  EXPECT_THROW(judge_runs({0.1, 0.2}, {{1.0}, {1.0}}, {}, {0.1}), InvalidArgument);
  EXPECT_THROW(judge_runs({0.1}, {{1.0}}, {.val_loss_factor = 1.0}), InvalidArgument);
  EXPECT_THROW(judge_runs({0.1, 0.2}, {{1.0}}), InvalidArgument);
  EXPECT_THROW(judge_runs({0.1}, {{}}), InvalidArgument);
  EXPECT_THROW(judge_runs({0.1}, {{1.0}}, {.smoothing = 1.0}), InvalidArgument);
  EXPECT_THROW(judge_runs({0.1}, {{1.0}}, {.diverge_factor = 1.0}), InvalidArgument);
  EXPECT_THROW(judge_runs({0.1}, {{1.0}}, {.too_low_fraction = 1.5}), InvalidArgument);
  EXPECT_THROW(DivergenceCheck({.start_steps = 0}), InvalidArgument);
}

}  // namespace
}  // namespace descent
