#include "lr/sweep_budget.h"

#include <set>

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"

namespace descent {
namespace {

TEST(SweepBudget, ATenthOfTheFinalRunInPartOfAnEpochOnALargeSet) {
  // 10,000 samples in batches of 64: 157 steps an epoch; the final run's 564 steps give 57.
  const SweepBudget b = sweep_budget(10'000, 64, 564);
  EXPECT_EQ(b.steps, 57);
  EXPECT_EQ(b.epochs, 1);
  EXPECT_EQ(b.samples, 57 * 64);
}

TEST(SweepBudget, WholeEpochsOnASmallSetAndNeverFewerThan30Steps) {
  // 127 samples in batches of 16: 8 steps an epoch; a tenth of 240 steps is 24, raised to 30,
  // rounded to 4 epochs.
  const SweepBudget b = sweep_budget(127, 16, 240);
  EXPECT_EQ(b.epochs, 4);
  EXPECT_EQ(b.steps, 32);
  EXPECT_EQ(b.samples, 127);
  // Never longer than the final run itself.
  EXPECT_EQ(sweep_budget(1000, 100, 20).steps, 20);
  EXPECT_EQ(sweep_epochs_budget(1000, 100, 3).steps, 30);
}

// A successive-halving rung's steps (lr/successive_halving.h) as a budget: a part of an epoch, or
// whole epochs, rounded.
TEST(SweepBudget, AGivenNumberOfSteps) {
  const SweepBudget part = sweep_steps_budget(10'000, 64, 19);
  EXPECT_EQ(part.steps, 19);
  EXPECT_EQ(part.epochs, 1);
  EXPECT_EQ(part.samples, 19 * 64);
  const SweepBudget epochs = sweep_steps_budget(127, 16, 90);  // 11.25 epochs of 8 steps
  EXPECT_EQ(epochs.epochs, 11);
  EXPECT_EQ(epochs.steps, 88);
  EXPECT_EQ(epochs.samples, 127);
  EXPECT_THROW(sweep_steps_budget(127, 16, 0), InvalidArgument);
}

TEST(SweepBudget, RefusesWhatCannotBeTrained) {
  EXPECT_THROW(sweep_budget(0, 16, 100), InvalidArgument);
  EXPECT_THROW(sweep_budget(100, 16, 100, 0.0), InvalidArgument);
  EXPECT_THROW(sweep_budget(100, 16, 100, 1.5), InvalidArgument);
}

TEST(SweepBudget, ThePartIsADistinctSeededDrawNotTheFirstSamples) {
  const Dataset train = moons(1000, 0.1, 1);
  const SweepBudget budget{.steps = 4, .epochs = 1, .samples = 200};
  const auto part = sweep_training_part(train, budget, 42);
  ASSERT_TRUE(part.has_value());
  ASSERT_EQ(part->size(), 200);
  const auto again = sweep_training_part(train, budget, 42);
  EXPECT_EQ(part->values, again->values);  // the same seed, the same part
  EXPECT_NE(part->values, sweep_training_part(train, budget, 43)->values);
  std::set<std::vector<float>> rows;
  for (std::int64_t i = 0; i < part->size(); ++i)
    rows.insert({part->values.begin() + 2 * i, part->values.begin() + 2 * i + 2});
  EXPECT_EQ(rows.size(), 200u);  // without replacement
  const std::vector<float> first(train.values.begin(), train.values.begin() + 400);
  EXPECT_NE(std::vector<float>(part->values.begin(), part->values.end()), first);
  EXPECT_FALSE(sweep_training_part(train, {.steps = 8, .epochs = 1, .samples = 1000}, 42));
}

}  // namespace
}  // namespace descent
