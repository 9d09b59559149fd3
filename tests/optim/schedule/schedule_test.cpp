// The Schedule interface: intervals, state_dict checks, and the composites (SequentialLR,
// ChainedScheduler) beyond the PyTorch fixture.
#include <gtest/gtest.h>

#include "core/error.h"
#include "optim/schedule/chained_scheduler.h"
#include "optim/schedule/constant_lr.h"
#include "optim/schedule/cosine_annealing_lr.h"
#include "optim/schedule/cyclic_lr.h"
#include "optim/schedule/exponential_lr.h"
#include "optim/schedule/linear_lr.h"
#include "optim/schedule/make_schedule.h"
#include "optim/schedule/one_cycle_lr.h"
#include "optim/schedule/reduce_lr_on_plateau.h"
#include "optim/schedule/sequential_lr.h"
#include "optim/schedule/step_lr.h"
#include "schedule_test_util.h"

namespace descent {
namespace {

using schedule_test::close;

TEST(ScheduleInterval, ParsesAndPrints) {
  EXPECT_EQ(parse_schedule_interval("step"), ScheduleInterval::step);
  EXPECT_EQ(parse_schedule_interval("epoch"), ScheduleInterval::epoch);
  EXPECT_EQ(to_string(ScheduleInterval::epoch), "epoch");
  EXPECT_EQ(to_string(ScheduleInterval::step), "step");
  EXPECT_THROW(parse_schedule_interval("batch"), InvalidArgument);
}

TEST(Schedule, StateDictRejectsAnotherScheduleOrConfig) {
  const StepLR a(0.1, {.step_size = 5});
  StepLR same(0.1, {.step_size = 5});
  same.load_state_dict(a.state_dict());
  StepLR other_config(0.1, {.step_size = 6});
  EXPECT_THROW(other_config.load_state_dict(a.state_dict()), InvalidArgument);
  ExponentialLR other_name(0.1, {.gamma = 0.5});
  EXPECT_THROW(other_name.load_state_dict(a.state_dict()), InvalidArgument);
  EXPECT_THROW(same.load_state_dict(StateDict{}), InvalidArgument);
  EXPECT_EQ(a.state_dict().meta["name"], "StepLR");
  EXPECT_EQ(to_spec(a),
            (nlohmann::json{{"name", "StepLR"}, {"params", {{"step_size", 5}, {"gamma", 0.1}}}}));
}

TEST(SequentialLR, RestartsEachScheduleAtItsMilestone) {
  std::vector<std::unique_ptr<Schedule>> parts;
  parts.push_back(
      std::make_unique<LinearLR>(1.0, LinearLROptions{.start_factor = 0.5, .total_iters = 4}));
  parts.push_back(std::make_unique<ExponentialLR>(1.0, ExponentialLROptions{.gamma = 0.5}));
  const SequentialLR s(std::move(parts), {4});
  EXPECT_DOUBLE_EQ(s.lr(0), 0.5);
  EXPECT_DOUBLE_EQ(s.lr(3), 0.875);
  EXPECT_DOUBLE_EQ(s.lr(4), 1.0);
  EXPECT_DOUBLE_EQ(s.lr(6), 0.25);
  EXPECT_FALSE(s.momentum(0).has_value());
}

TEST(SequentialLR, ForwardsMomentumAndObservationsToTheActiveSchedule) {
  std::vector<std::unique_ptr<Schedule>> parts;
  parts.push_back(std::make_unique<OneCycleLR>(0.1, OneCycleLROptions{.total_steps = 10}));
  parts.push_back(std::make_unique<ReduceLROnPlateau>(
      0.01, ReduceLROnPlateauOptions{.factor = 0.5, .patience = 0}));
  SequentialLR s(std::move(parts), {10});
  EXPECT_TRUE(close(*s.momentum(0), 0.95));
  EXPECT_FALSE(s.momentum(10).has_value());
  s.observe(12, 1.0);
  s.observe(14, 2.0);  // the plateau's own t = 4: halves from there
  EXPECT_DOUBLE_EQ(s.lr(13), 0.01);
  EXPECT_DOUBLE_EQ(s.lr(14), 0.005);
  // Its state travels inside the SequentialLR's.
  std::vector<std::unique_ptr<Schedule>> fresh;
  fresh.push_back(std::make_unique<OneCycleLR>(0.1, OneCycleLROptions{.total_steps = 10}));
  fresh.push_back(std::make_unique<ReduceLROnPlateau>(
      0.01, ReduceLROnPlateauOptions{.factor = 0.5, .patience = 0}));
  SequentialLR restored(std::move(fresh), {10});
  restored.load_state_dict(s.state_dict());
  EXPECT_DOUBLE_EQ(restored.lr(14), 0.005);
}

TEST(ChainedScheduler, MultipliesFactorsAndTakesTheLastMomentum) {
  std::vector<std::unique_ptr<Schedule>> parts;
  parts.push_back(
      std::make_unique<ConstantLR>(0.2, ConstantLROptions{.factor = 0.5, .total_iters = 3}));
  parts.push_back(std::make_unique<StepLR>(0.2, StepLROptions{.step_size = 2, .gamma = 0.1}));
  parts.push_back(
      std::make_unique<CyclicLR>(0.2, CyclicLROptions{.max_lr = 0.2, .step_size_up = 4}));
  ChainedScheduler s(0.2, std::move(parts));
  EXPECT_TRUE(close(s.lr(0), 0.1));
  EXPECT_TRUE(close(s.lr(2), 0.01));
  EXPECT_TRUE(close(s.lr(3), 0.02));
  EXPECT_TRUE(close(*s.momentum(2), 0.85));  // CyclicLR, halfway up
  EXPECT_THROW(ChainedScheduler(0.2, {}), InvalidArgument);
}

TEST(CosineAnnealingLR, RisesAgainPastTMaxAsSteppedPyTorch) {
  const CosineAnnealingLR s(0.1, {.T_max = 10, .eta_min = 0.01});
  EXPECT_DOUBLE_EQ(s.lr(10), 0.01);
  EXPECT_TRUE(close(s.lr(20), 0.1));
  EXPECT_TRUE(close(s.lr(15), s.lr(5)));
}

}  // namespace
}  // namespace descent
