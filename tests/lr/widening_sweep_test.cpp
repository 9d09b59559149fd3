#include "lr/widening_sweep.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"
#include "judged_run.h"
#include "lr/sweep_confidence.h"
#include "nn/dense.h"
#include "optim/sgd.h"

namespace descent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::judged_run;

SweepResult result_of(std::vector<SweepRun> runs, std::optional<double> best) {
  return {.runs = std::move(runs), .best_lr = best};
}

TEST(BeyondTheEdge, ContinuesTheGridsSpacingPastTheEdgeOfTheBest) {
  const SweepResult low =
      result_of({judged_run(0.1, 0.5), judged_run(0.01, 0.2), judged_run(1, 0.9)}, 0.01);
  const std::vector<double> below = beyond_the_edge(low, 2);
  ASSERT_EQ(below.size(), 2u);
  EXPECT_DOUBLE_EQ(below[0], 1e-3);
  EXPECT_DOUBLE_EQ(below[1], 1e-4);

  const SweepResult high = result_of({judged_run(1, 0.5), judged_run(2, 0.2)}, 2);
  const std::vector<double> above = beyond_the_edge(high, 3);
  ASSERT_EQ(above.size(), 3u);
  EXPECT_DOUBLE_EQ(above[0], 4);
  EXPECT_DOUBLE_EQ(above[2], 16);
}

TEST(BeyondTheEdge, NothingWhenTheBestIsInsideOrThereIsNone) {
  EXPECT_TRUE(
      beyond_the_edge(result_of({judged_run(1, 0.5), judged_run(2, 0.2), judged_run(4, 0.3)}, 2), 2)
          .empty());
  EXPECT_TRUE(beyond_the_edge(result_of({judged_run(1, 0.5), judged_run(2, 0.2)}, std::nullopt), 2)
                  .empty());
}

// SGD on moons from η far too small: the largest η of the grid is always the best, so the grid
// grows upwards until the widenings run out.
std::unique_ptr<Model> small_moons_model(double lr) {
  auto model = std::make_unique<Model>(7);
  model->add(Dense(8, {.activation = "relu", .input_shape = {2}}));
  model->add(Dense(2));
  model->compile(std::make_unique<SGD>(model->trainable_variables(), SGDOptions{.lr = lr}),
                 make_loss("sparse_categorical_crossentropy", true), {"accuracy"});
  return model;
}

struct TooLowGrid : ::testing::Test {
  Dataset train = moons(256, 0.1, 1);
  Dataset validation = moons(128, 0.1, 2);
  std::mutex mutex;
  std::map<std::size_t, SweepRun> saved;  // what on_run_end was given, by index
  SweepOptions options{.epochs = 1,
                       .batch_size = 32,
                       .validation = &validation,
                       .verbose = 0,
                       .on_run_end = [this](std::size_t i, const SweepRun& run) {
                         std::lock_guard lock(mutex);
                         EXPECT_FALSE(saved.contains(i)) << "run " << i << " saved twice";
                         saved.emplace(i, run);
                       }};
};

TEST_F(TooLowGrid, WidensPastTheHighEdgeUpToItsLimitAndSortsTheRuns) {
  const WideningSweep s =
      run_widening_sweep(small_moons_model, train, {1e-6, 1e-5}, options, {.max_widenings = 2});
  EXPECT_EQ(s.widenings, 2);
  ASSERT_EQ(s.lrs.size(), 6u);
  EXPECT_NEAR(s.lrs[2], 1e-4, 1e-15);  // run order: the grid, then each widening
  EXPECT_NEAR(s.lrs[5], 1e-1, 1e-13);
  ASSERT_EQ(s.result.runs.size(), 6u);
  EXPECT_TRUE(std::is_sorted(s.result.runs.begin(), s.result.runs.end(),
                             [](const SweepRun& a, const SweepRun& b) { return a.lr < b.lr; }));
  EXPECT_EQ(saved.size(), 6u);  // each run trained once, across the rounds
  for (const auto& [i, run] : saved)
    EXPECT_EQ(run.lr, s.lrs[i]);
}

TEST_F(TooLowGrid, NoWideningWhenTurnedOff) {
  const WideningSweep s =
      run_widening_sweep(small_moons_model, train, {1e-6, 1e-5}, options, {.max_widenings = 0});
  EXPECT_EQ(s.widenings, 0);
  EXPECT_EQ(s.result.runs.size(), 2u);
}

// A resumed tune: the saved runs come back by index, nothing is trained again, and the same
// results lead to the same widened grid.
TEST_F(TooLowGrid, SavedRunsAreTakenAsTheyAreAndLeadToTheSameGrid) {
  const WideningSweep first =
      run_widening_sweep(small_moons_model, train, {1e-6, 1e-5}, options, {.max_widenings = 1});
  const std::map<std::size_t, SweepRun> first_runs = saved;
  saved.clear();
  const WideningSweep again =
      run_widening_sweep(small_moons_model, train, {1e-6, 1e-5}, options, {.max_widenings = 1},
                         [&](const std::vector<double>& lrs) {
                           std::vector<std::optional<SweepRun>> out(lrs.size());
                           for (const auto& [i, run] : first_runs)
                             if (i < lrs.size() && run.lr == lrs[i]) out[i] = run;
                           return out;
                         });
  EXPECT_TRUE(saved.empty());
  EXPECT_EQ(again.lrs, first.lrs);
  EXPECT_EQ(again.result.best_lr, first.result.best_lr);
}

TEST(WideningSweep, RefusesAGridOfOneOrABadWidening) {
  const Dataset train = moons(64, 0.1, 1);
  EXPECT_THROW(run_widening_sweep(small_moons_model, train, {0.1}, {.verbose = 0}, {}),
               InvalidArgument);
  EXPECT_THROW(run_widening_sweep(small_moons_model, train, {0.1, 1}, {.verbose = 0},
                                  {.max_widenings = 1, .points = 0}),
               InvalidArgument);
}

TEST(SweepConfidence, HighWhenTheBestIsInsideAndTheNearBestLieWithinADecade) {
  const SweepConfidence c =
      sweep_confidence(result_of({judged_run(0.01, 0.9), judged_run(0.03, 0.41),
                                  judged_run(0.1, 0.4), judged_run(0.3, 0.8)},
                                 0.1),
                       true);
  EXPECT_EQ(c.level, "high");
  EXPECT_THAT(c.near_best, ElementsAre(0.03, 0.1));
  EXPECT_FALSE(c.at_edge);
  EXPECT_EQ(c.summary,
            "high: the best η is inside the sweep and η from 0.03 to 0.1 came within 5% "
            "of the best loss");
}

TEST(SweepConfidence, MediumWhenTheNearBestSpanMoreThanADecade) {
  const SweepConfidence c = sweep_confidence(
      result_of({judged_run(1e-3, 0.9), judged_run(1e-2, 0.404), judged_run(0.1, 0.4),
                 judged_run(1, 0.41), judged_run(10, 5, Verdict::diverged)},
                0.1),
      true);
  EXPECT_EQ(c.level, "medium");
  EXPECT_THAT(c.near_best, ElementsAre(1e-2, 0.1, 1));
  EXPECT_THAT(c.summary, HasSubstr("a factor 100"));
}

TEST(SweepConfidence, MediumWhenAWorseRunLiesBetweenTheNearBest) {
  const SweepConfidence c = sweep_confidence(
      result_of({judged_run(0.01, 0.9), judged_run(0.02, 0.41), judged_run(0.04, 0.6),
                 judged_run(0.08, 0.4), judged_run(0.16, 0.8)},
                0.08),
      true);
  EXPECT_EQ(c.level, "medium");
  EXPECT_THAT(c.near_best, ElementsAre(0.02, 0.08));
  EXPECT_THAT(c.summary, HasSubstr("η = 0.04 between them did worse"));
}

TEST(SweepConfidence, LowAtAnEdgeOrWithOneFinishedRun) {
  const SweepConfidence edge =
      sweep_confidence(result_of({judged_run(0.1, 0.5), judged_run(1, 0.3)}, 1), true);
  EXPECT_EQ(edge.level, "low");
  EXPECT_TRUE(edge.at_edge);
  EXPECT_EQ(edge.summary,
            "low: the best η (1) is the highest the sweep tried; a better one may lie beyond it");
  const SweepConfidence alone =
      sweep_confidence(result_of({judged_run(0.1, 0.5), judged_run(1, NAN, Verdict::diverged),
                                  judged_run(10, NAN, Verdict::diverged)},
                                 0.1),
                       true);
  EXPECT_EQ(alone.level, "low");
  EXPECT_THAT(alone.summary, HasSubstr("fewer than two runs"));
  // A diverged run's loss never counts, however low it was when it stopped.
  EXPECT_THAT(alone.near_best, ElementsAre(0.1));
}

TEST(SweepConfidence, NeedsABest) {
  EXPECT_THROW(sweep_confidence(result_of({judged_run(1, 0.5)}, std::nullopt), true),
               InvalidArgument);
}

}  // namespace
}  // namespace descent
