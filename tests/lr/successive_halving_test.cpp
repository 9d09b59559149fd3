#include "lr/successive_halving.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "judged_run.h"

namespace descent {
namespace {

using testing::judged_run;

SweepResult rung_of(std::vector<SweepRun> runs) {
  return {.runs = std::move(runs), .best_lr = std::nullopt};
}

TEST(SuccessiveHalving, PromotesTheBestThirdByLossSortedByEta) {
  std::vector<SweepRun> runs;
  const std::vector<double> losses = {0.9, 0.5, 0.3, 0.45, 0.2, 0.6, 0.7, 0.35, 0.8};
  for (std::size_t i = 0; i < losses.size(); ++i)
    runs.push_back(judged_run(0.001 * std::pow(2.0, i), losses[i]));
  // The three lowest losses: 0.2 (i = 4), 0.3 (2), 0.35 (7).
  EXPECT_EQ(promoted(rung_of(runs), true), (std::vector<double>{0.004, 0.016, 0.128}));
  // A third rounded up: 5 runs keep 2, 2 runs keep 1.
  runs.resize(5);
  EXPECT_EQ(promoted(rung_of(runs), true), (std::vector<double>{0.004, 0.016}));
  runs.resize(2);
  EXPECT_EQ(promoted(rung_of(runs), true), (std::vector<double>{0.002}));
}

TEST(SuccessiveHalving, NeverPromotesAnUnstableRunWhileAStableOneExists) {
  const SweepResult rung =
      rung_of({judged_run(0.01, 0.9, Verdict::too_low), judged_run(0.03, 0.5),
               judged_run(0.1, 0.2, Verdict::too_high), judged_run(0.3, 0.1, Verdict::diverged),
               judged_run(1, NAN, Verdict::diverged), judged_run(3, 0.15)});
  // Two to keep; the two lowest losses are unstable: the stable 3 and 0.03 go on.
  EXPECT_EQ(promoted(rung, true), (std::vector<double>{0.03, 3}));
  // One stable run only: it goes on alone rather than with an unstable one.
  const SweepResult one_stable =
      rung_of({judged_run(0.1, 0.9), judged_run(0.3, 0.2, Verdict::too_high),
               judged_run(1, 0.1, Verdict::too_high), judged_run(3, 9, Verdict::diverged)});
  EXPECT_EQ(promoted(one_stable, true), (std::vector<double>{0.1}));
  // No stable run: the best too-high ones; every run diverged: none.
  const SweepResult none_stable =
      rung_of({judged_run(0.1, 0.5, Verdict::too_high), judged_run(0.3, 0.2, Verdict::too_high),
               judged_run(1, 0.1, Verdict::diverged), judged_run(3, 9, Verdict::diverged)});
  EXPECT_EQ(promoted(none_stable, true), (std::vector<double>{0.1, 0.3}));
  EXPECT_TRUE(promoted(rung_of({judged_run(0.1, 2, Verdict::diverged),
                                judged_run(0.3, 1, Verdict::diverged)}),
                       true)
                  .empty());
}

// Short runs favour the highest η; the longer rungs favour the one nearest 0.03 among those left:
// the last rung holds that one, not rung 0's best.
TEST(SuccessiveHalving, EachRungTrainsTheBestThirdOfTheOneBefore) {
  const std::vector<double> grid = {0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2};
  std::vector<std::vector<double>> asked;
  const auto run_rung = [&](int rung, const std::vector<double>& lrs) {
    EXPECT_EQ(rung, static_cast<int>(asked.size()));
    asked.push_back(lrs);
    SweepResult result;
    for (double lr : lrs) {
      const double loss = rung == 0 ? 1 / lr : std::abs(std::log(lr / 0.03)) + 1.0 / (rung + 1);
      result.runs.push_back(judged_run(lr, loss));
    }
    return result;
  };
  const std::vector<SweepResult> rungs = run_successive_halving(grid, 3, true, run_rung);
  ASSERT_EQ(rungs.size(), 3u);
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0], grid);
  EXPECT_EQ(asked[1], (std::vector<double>{0.05, 0.1, 0.2}));
  EXPECT_EQ(asked[2], (std::vector<double>{0.05}));
  EXPECT_EQ(rungs[2].runs.size(), 1u);
  // One rung: the grid alone, as a plain sweep.
  asked.clear();
  EXPECT_EQ(run_successive_halving(grid, 1, true, run_rung).size(), 1u);
  EXPECT_EQ(asked.size(), 1u);
}

TEST(SuccessiveHalving, StopsAfterARungWhoseRunsAllDiverged) {
  int calls = 0;
  const auto run_rung = [&](int, const std::vector<double>& lrs) {
    ++calls;
    SweepResult result;
    for (double lr : lrs)
      result.runs.push_back(judged_run(lr, NAN, Verdict::diverged));
    return result;
  };
  EXPECT_EQ(run_successive_halving({0.1, 1}, 3, true, run_rung).size(), 1u);
  EXPECT_EQ(calls, 1);
  EXPECT_THROW(run_successive_halving({0.1, 1}, 0, true, run_rung), InvalidArgument);
  EXPECT_THROW(run_successive_halving({0.1}, 2, true, run_rung), InvalidArgument);
}

SweepResult with_best(std::vector<SweepRun> runs, double best) {
  return {.runs = std::move(runs), .best_lr = best};
}

TEST(SuccessiveHalving, ThePickReadsTheLastRung) {
  const std::vector<SweepResult> rungs = {
      with_best({judged_run(0.1, 0.5), judged_run(0.3, 0.4), judged_run(1, 0.3)}, 1),
      with_best({judged_run(1, 0.2)}, 1)};
  const PickedRung picked = rung_to_pick_from(rungs, true);
  EXPECT_EQ(picked.rung, 1u);
  ASSERT_EQ(picked.result.runs.size(), 1u);
  EXPECT_EQ(picked.result.best_lr, 1);
  // One rung: the sweep as it is.
  const PickedRung one = rung_to_pick_from({rungs[0]}, true);
  EXPECT_EQ(one.rung, 0u);
  EXPECT_EQ(one.result.best_lr, 1);
  EXPECT_EQ(one.result.runs[2].verdict, Verdict::good);
}

// The last rung's only run diverged when trained longer: the rung before is read, that η in it
// diverged (no best) and its other unstable verdicts kept.
TEST(SuccessiveHalving, ARunUnstableWhenTrainedLongerCarriesThatVerdictBack) {
  const std::vector<SweepResult> rungs = {
      with_best({judged_run(0.03, 0.7), judged_run(0.1, 0.5), judged_run(0.3, 0.4),
                 judged_run(1, 0.3), judged_run(3, 0.35)},
                1),
      with_best({judged_run(0.3, 0.25), judged_run(1, 0.2)}, 1),
      with_best({judged_run(1, NAN, Verdict::diverged)}, 0)};
  const PickedRung picked = rung_to_pick_from(rungs, true);
  EXPECT_EQ(picked.rung, 1u);
  EXPECT_EQ(picked.result.runs[1].verdict, Verdict::diverged);
  EXPECT_EQ(picked.result.runs[1].reason.rfind("when trained longer (rung 3): ", 0), 0u);
  EXPECT_EQ(picked.result.best_lr, 0.3);
  // A run too high in the longer rung stays the best by loss, judged too high (the pick then
  // anchors on a stable one, lr/sweep_choice.h).
  const std::vector<SweepResult> too_high = {
      rungs[0], with_best({judged_run(0.3, 0.25), judged_run(1, 0.2, Verdict::too_high)}, 1)};
  const PickedRung p = rung_to_pick_from(too_high, true);
  EXPECT_EQ(p.rung, 1u);
  EXPECT_EQ(p.result.best_lr, 1);
  EXPECT_EQ(p.result.runs[1].verdict, Verdict::too_high);
}

TEST(SuccessiveHalving, RungStepsAThirdThenThreeTimesTheOneBefore) {
  EXPECT_EQ(halving_rung_steps(30, 0, 1, 240), 30);  // one rung: the plain sweep
  EXPECT_EQ(halving_rung_steps(30, 0, 3, 240), 10);
  EXPECT_EQ(halving_rung_steps(30, 1, 3, 240), 30);
  EXPECT_EQ(halving_rung_steps(30, 2, 3, 240), 90);
  EXPECT_EQ(halving_rung_steps(30, 2, 3, 60), 60);   // never more than the final run
  EXPECT_EQ(halving_rung_steps(57, 0, 2, 564), 19);  // rounded
  EXPECT_EQ(halving_rung_steps(2, 0, 2, 564), 1);    // at least one step
  EXPECT_THROW(halving_rung_steps(30, 3, 3, 240), InvalidArgument);
  EXPECT_THROW(halving_rung_steps(0, 0, 1, 240), InvalidArgument);
}

}  // namespace
}  // namespace descent
