#include "lr/sweep_choice.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "judged_run.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

using testing::judged_run;

SweepChoice choose(std::vector<SweepRun> runs, double best) {
  const SweepResult result{.runs = std::move(runs), .best_lr = best};
  return choose_from_sweep(result, true);
}

TEST(SweepChoice, TheBestRunsEtaWhenNoRuleMovesIt) {
  const SweepChoice c =
      choose({judged_run(0.01, 0.9), judged_run(0.1, 0.4), judged_run(1, 0.8)}, 0.1);
  EXPECT_EQ(c.lr, 0.1);
  EXPECT_EQ(c.why, "");
}

TEST(SweepChoice, TheSmallestEtaWithinTheToleranceOfTheBest) {
  const SweepChoice c = choose(
      {judged_run(0.01, 0.9), judged_run(0.03, 0.41), judged_run(0.1, 0.4), judged_run(0.3, 0.8)},
      0.1);
  EXPECT_EQ(c.lr, 0.03);
  EXPECT_EQ(c.why,
            "the smallest η within 5% of the loss at η = 0.1, their differences being noise");
}

TEST(SweepChoice, OneEtaDownFromAnUnstableNeighbour) {
  for (Verdict above : {Verdict::diverged, Verdict::too_high}) {
    const SweepChoice c = choose({judged_run(0.01, 0.9), judged_run(0.03, 0.6),
                                  judged_run(0.1, 0.4), judged_run(0.3, 5, above)},
                                 0.1);
    EXPECT_EQ(c.lr, 0.03);
    EXPECT_THAT(c.why, HasSubstr("one η down from 0.1, next to η = 0.3, which was"));
  }
  // Not onto a diverged run, and not off the bottom of the grid.
  EXPECT_EQ(choose({judged_run(0.03, 9, Verdict::diverged), judged_run(0.1, 0.4),
                    judged_run(0.3, 5, Verdict::diverged)},
                   0.1)
                .lr,
            0.1);
  EXPECT_EQ(choose({judged_run(0.1, 0.4), judged_run(0.3, 5, Verdict::diverged)}, 0.1).lr, 0.1);
}

TEST(SweepChoice, BothRulesInTurn) {
  const SweepChoice c = choose({judged_run(0.01, 0.9), judged_run(0.03, 0.6), judged_run(0.1, 0.41),
                                judged_run(0.3, 0.4), judged_run(1, 5, Verdict::too_high)},
                               0.3);
  // Within 5% of 0.4: 0.1 and 0.3, so 0.1; its neighbour above, 0.3, is stable: no step down.
  EXPECT_EQ(c.lr, 0.1);
  const SweepChoice d = choose({judged_run(0.01, 0.9), judged_run(0.03, 0.6), judged_run(0.1, 0.41),
                                judged_run(0.3, 7, Verdict::too_high), judged_run(1, 0.4)},
                               1);
  EXPECT_EQ(d.lr, 0.03);
  EXPECT_THAT(d.why, HasSubstr("; then one η down from 0.1"));
}

// Breast cancer, seed 5 of the benchmark: the lowest validation loss was a run judged too high,
// and its final run ended at a test loss of 452.
TEST(SweepChoice, NeverAnUnstableRunWhileAStableOneExists) {
  const SweepChoice c =
      choose({judged_run(0.01, 0.9), judged_run(0.05, 0.5), judged_run(0.1, 0.45),
              judged_run(0.4, 0.3, Verdict::too_high), judged_run(1, 9, Verdict::diverged)},
             0.4);
  // Anchored at 0.1, the best stable run; 0.05 is not within 5% of it; 0.1's neighbour above is
  // unstable, so one η down.
  EXPECT_EQ(c.lr, 0.05);
  EXPECT_THAT(c.why, HasSubstr("the best run (η = 0.4) was too high; the best stable run was at "
                               "η = 0.1; then one η down from 0.1"));
  // With no stable run at all, the best one stands.
  EXPECT_EQ(
      choose({judged_run(0.1, 0.5, Verdict::too_high), judged_run(1, 0.3, Verdict::too_high)}, 1)
          .lr,
      1);
}

TEST(SweepChoice, NeedsSortedRunsAndABest) {
  const SweepResult unsorted{.runs = {judged_run(1, 0.5), judged_run(0.1, 0.4)}, .best_lr = 0.1};
  EXPECT_THROW(choose_from_sweep(unsorted, true), InvalidArgument);
}

}  // namespace
}  // namespace descent
