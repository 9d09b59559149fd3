// A schedule that cycles the momentum, given an optimizer without one, is refused before the first
// step (as PyTorch's OneCycleLR and CyclicLR refuse it at construction), not at the first step.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/adagrad.h"
#include "optim/schedule/one_cycle_lr.h"
#include "optim/schedule/schedule_presets.h"
#include "train/model.h"

namespace descent {
namespace {

using ::testing::HasSubstr;

Model adagrad_model() {
  Model model(3);
  model.add(Dense(4, {.activation = "tanh", .input_shape = {2}}));
  model.add(Dense(2));
  model.compile<Adagrad>({.lr = 0.1}, "sparse_categorical_crossentropy", {});
  return model;
}

TEST(CycledMomentum, AnOptimizerWithoutMomentumIsRefusedBeforeTraining) {
  Model model = adagrad_model();
  const auto before = model.weights().tensors.at("dense/kernel");
  const auto one_cycle =
      std::make_shared<OneCycleLR>(0.1, OneCycleLROptions{.max_lr = 0.1, .total_steps = 10});
  try {
    model.fit(moons(40, 0.1, 1),
              {.epochs = 1, .batch_size = 8, .verbose = 0, .schedule = one_cycle});
    FAIL() << "trained with a schedule that cycles a momentum adagrad lacks";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("OneCycleLR cycles the momentum, which adagrad does not have"));
  }
  const auto after = model.weights().tensors.at("dense/kernel");
  for (std::int64_t i = 0; i < before.size(); ++i)
    EXPECT_EQ(after[i], before[i]);
}

TEST(CycledMomentum, TheOneCyclePresetTrainsAnOptimizerWithoutMomentum) {
  Model model = adagrad_model();
  const History history =
      model.fit(moons(40, 0.1, 1),
                {.epochs = 2,
                 .batch_size = 8,
                 .verbose = 0,
                 .schedule = make_schedule_preset("onecycle", nlohmann::json::object(), 0.1, 10,
                                                  model.optimizer().momentum().has_value())});
  ASSERT_EQ(history.steps.size(), 10u);
  EXPECT_DOUBLE_EQ(history.steps[0].lr, 0.1 / 25);
  EXPECT_FALSE(history.diverged);
}

}  // namespace
}  // namespace descent
