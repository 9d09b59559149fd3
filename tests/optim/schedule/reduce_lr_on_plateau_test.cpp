// ReduceLROnPlateau beyond PyTorch: composed with a warmup and with a cosine, state round trips,
// and the rules PyTorch's docs state (patience, cooldown, min_lr, eps) on hand-made sequences.
#include <gtest/gtest.h>

#include "core/error.h"
#include "optim/schedule/cosine_annealing_lr.h"
#include "optim/schedule/linear_lr.h"
#include "optim/schedule/make_schedule.h"
#include "optim/schedule/reduce_lr_on_plateau.h"
#include "optim/schedule/sequential_lr.h"
#include "schedule_test_util.h"

namespace descent {
namespace {

using schedule_test::close;

TEST(ReduceLROnPlateau, ComposedWithLinearWarmupGivesWarmupThenReducedValues) {
  // η0 = 0.1, warmup 0.01 → 0.1 over 10 steps; plateau halves after 2 bad epochs (5 steps each).
  ReduceLROnPlateau s(
      std::make_unique<LinearLR>(0.1, LinearLROptions{.start_factor = 0.1, .total_iters = 10}),
      {.factor = 0.5, .patience = 1});
  const auto warmup = [](std::int64_t t) {
    return 0.1 * (0.1 + 0.9 * std::min<double>(t, 10) / 10);
  };
  for (std::int64_t t = 0; t <= 10; ++t)
    EXPECT_TRUE(close(s.lr(t), warmup(t))) << t;

  s.observe(5, 1.0);    // best
  s.observe(10, 0.9);   // better
  s.observe(15, 0.95);  // bad 1
  EXPECT_EQ(s.num_reductions(), 0u);
  s.observe(20, 0.95);  // bad 2 > patience 1: reduce from t = 20
  EXPECT_EQ(s.num_reductions(), 1u);
  // Warmup values untouched, including those before the reduction that were already used.
  for (std::int64_t t = 0; t <= 10; ++t)
    EXPECT_TRUE(close(s.lr(t), warmup(t))) << t;
  EXPECT_TRUE(close(s.lr(19), 0.1));
  EXPECT_TRUE(close(s.lr(20), 0.05));
  EXPECT_TRUE(close(s.lr(100), 0.05));
  s.observe(25, 0.99);
  s.observe(30, 0.99);  // reduce again
  EXPECT_TRUE(close(s.lr(30), 0.025));
  EXPECT_DOUBLE_EQ(s.scale(29), 0.5);
  EXPECT_DOUBLE_EQ(s.scale(30), 0.25);
}

TEST(ReduceLROnPlateau, ReductionDuringWarmupScalesTheRestOfTheWarmup) {
  ReduceLROnPlateau s(
      std::make_unique<LinearLR>(1.0, LinearLROptions{.start_factor = 0.1, .total_iters = 10}),
      {.factor = 0.5, .patience = 0});
  s.observe(2, 1.0);
  s.observe(4, 2.0);  // reduce from t = 4
  EXPECT_TRUE(close(s.lr(3), 0.37));
  EXPECT_TRUE(close(s.lr(4), 0.5 * 0.46));
  EXPECT_TRUE(close(s.lr(10), 0.5));
}

TEST(ReduceLROnPlateau, MinLrFloorsReductionsButNeverRaisesTheInnerValue) {
  // Inner warmup starts at 0.01, below min_lr 0.02: the floor must not lift it.
  ReduceLROnPlateau s(
      std::make_unique<LinearLR>(0.1, LinearLROptions{.start_factor = 0.1, .total_iters = 10}),
      {.factor = 0.1, .patience = 0, .min_lr = 0.02});
  EXPECT_TRUE(close(s.lr(0), 0.01));
  s.observe(10, 1.0);
  s.observe(10, 2.0);  // reduce: 0.1 → max(0.01, 0.02) = 0.02
  EXPECT_TRUE(close(s.lr(10), 0.02));
  s.observe(11, 3.0);  // at the floor: lowering by 0 <= eps, no new reduction recorded
  EXPECT_EQ(s.num_reductions(), 1u);
  EXPECT_TRUE(close(s.lr(50), 0.02));
}

TEST(ReduceLROnPlateau, CooldownIgnoresBadEpochs) {
  ReduceLROnPlateau s(1.0, {.factor = 0.5, .patience = 0, .cooldown = 2});
  s.observe(1, 1.0);
  s.observe(2, 1.0);  // bad → reduce, cooldown 2
  EXPECT_EQ(s.num_reductions(), 1u);
  s.observe(3, 1.0);  // cooling down
  s.observe(4, 1.0);  // cooling down
  EXPECT_EQ(s.num_reductions(), 1u);
  s.observe(5, 1.0);  // bad again → reduce
  EXPECT_EQ(s.num_reductions(), 2u);
  EXPECT_DOUBLE_EQ(s.lr(5), 0.25);
}

TEST(ReduceLROnPlateau, NanMetricCountsAsBad) {
  ReduceLROnPlateau s(1.0, {.factor = 0.5, .patience = 1});
  s.observe(1, 1.0);
  s.observe(2, std::nan(""));
  s.observe(3, std::nan(""));
  EXPECT_DOUBLE_EQ(s.lr(3), 0.5);
}

TEST(ReduceLROnPlateau, StateRoundTripOverASequentialWarmupCosine) {
  const nlohmann::json params = {
      {"factor", 0.5},
      {"patience", 2},
      {"cooldown", 1},
      {"inner",
       {{"name", "SequentialLR"},
        {"params",
         {{"schedules",
           {{{"name", "LinearLR"}, {"params", {{"start_factor", 0.1}, {"total_iters", 5}}}},
            {{"name", "CosineAnnealingLR"}, {"params", {{"eta_min", 0.001}}}}}},
          {"milestones", {5}}}}}}};
  auto a = make_schedule("ReduceLROnPlateau", params, 0.1, 100);
  const double metrics[] = {1.0, 0.8, 0.81, 0.82, 0.83, 0.7, 0.71, 0.72, 0.73, 0.74, 0.75, 0.76};
  for (int e = 0; e < 6; ++e)
    a->observe(10 * (e + 1), metrics[e]);
  StateDict saved;
  saved.meta = nlohmann::json::parse(a->state_dict().meta.dump());
  auto b = make_schedule("ReduceLROnPlateau", params, 0.1, 100);
  b->load_state_dict(saved);
  for (int e = 6; e < 12; ++e) {
    a->observe(10 * (e + 1), metrics[e]);
    b->observe(10 * (e + 1), metrics[e]);
  }
  for (std::int64_t t = 0; t <= 100; ++t)
    ASSERT_EQ(a->lr(t), b->lr(t)) << t;
  EXPECT_LT(a->lr(100), 0.001);  // reduced below the cosine's floor eta_min
  EXPECT_EQ(b->state_dict().meta, a->state_dict().meta);
}

TEST(ReduceLROnPlateau, RejectsBadOptionsStatesAndBackwardSteps) {
  EXPECT_THROW(ReduceLROnPlateau(0.1, {.factor = 1.0}), InvalidArgument);
  EXPECT_THROW(ReduceLROnPlateau(0.1, {.factor = 0.0}), InvalidArgument);
  EXPECT_THROW(ReduceLROnPlateau(0.1, {.patience = -1}), InvalidArgument);
  EXPECT_THROW(ReduceLROnPlateau(0.1, {.cooldown = -1}), InvalidArgument);
  EXPECT_THROW(ReduceLROnPlateau(0.1, {.min_lr = -1}), InvalidArgument);
  EXPECT_THROW(ReduceLROnPlateau(nullptr), InvalidArgument);
  ReduceLROnPlateau s(0.1);
  s.observe(5, 1.0);
  EXPECT_THROW(s.observe(4, 1.0), InvalidArgument);

  ReduceLROnPlateau other(0.1, {.factor = 0.2});
  EXPECT_THROW(other.load_state_dict(s.state_dict()), InvalidArgument);  // config differs
  StateDict broken = s.state_dict();
  broken.meta["state"].erase("best");
  EXPECT_THROW(s.load_state_dict(broken), InvalidArgument);
}

}  // namespace
}  // namespace descent
