// fit()'s divergence policies: stop at the bad step, or roll back to the last good state with η
// lowered and the bad batch skipped.
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/sgd.h"
#include "train/model.h"

namespace descent {
namespace {

// 64 samples in 8 unshuffled batches of 8; sample 20 (batch 2) is so large that its loss overflows.
Dataset poisoned_regression() {
  Dataset data = linear_regression(64, std::vector<double>{1.0, -1.0}, 0.0, 0.05, 9);
  data.values[20 * 2] = 1e30f;
  return data;
}

Model linear_model() {
  Model model(1);
  model.add(Dense(1, {.input_shape = {2}}));
  model.compile(std::make_unique<SGD>(model.trainable_variables(), SGDOptions{.lr = 0.1}),
                make_loss("mse"), {});
  return model;
}

void expect_finite_weights(const Model& model) {
  for (const auto& [name, tensor] : model.weights().tensors)
    for (float v : tensor.values())
      ASSERT_TRUE(std::isfinite(v)) << name;
}

TEST(Divergence, StopEndsTheRunAtTheBadStepAndSaysWhere) {
  Model model = linear_model();
  const History history = model.fit(poisoned_regression(),
                                    {.epochs = 2, .batch_size = 8, .shuffle = false, .verbose = 0});
  EXPECT_TRUE(history.diverged);
  EXPECT_EQ(history.divergence, "loss became inf at step 3 (epoch 1, η = 0.1)");
  EXPECT_TRUE(history.recoveries.empty());
  ASSERT_EQ(history.steps.size(), 3u);
  EXPECT_TRUE(std::isinf(history.steps.back().loss));
  ASSERT_EQ(history.epochs.size(), 1u);
  expect_finite_weights(model);
}

TEST(Divergence, RollbackRestoresLowersEtaSkipsTheBatchAndLogsIt) {
  Model model = linear_model();
  FitOptions options{.epochs = 2, .batch_size = 8, .shuffle = false, .verbose = 0};
  options.checkpoint_every = 2;
  options.on_divergence = {.action = OnDivergence::rollback, .lr_factor = 0.5, .max_rollbacks = 3};
  const History history = model.fit(poisoned_regression(), options);

  EXPECT_FALSE(history.diverged) << history.divergence;
  // The poisoned batch comes back in epoch 2 (no shuffling): one recovery in each epoch.
  ASSERT_EQ(history.recoveries.size(), 2u);
  const Recovery& first = history.recoveries[0];
  EXPECT_EQ(first.step, 3);
  EXPECT_EQ(first.epoch, 1);
  EXPECT_EQ(first.batch, 2);
  EXPECT_EQ(first.reason, "loss became inf");
  EXPECT_EQ(first.restored_step, 2);
  EXPECT_DOUBLE_EQ(first.lr_before, 0.1);
  EXPECT_DOUBLE_EQ(first.lr_after, 0.05);
  const Recovery& second = history.recoveries[1];
  EXPECT_EQ(second.epoch, 2);
  EXPECT_EQ(second.batch, 2);
  EXPECT_EQ(second.restored_step, 8);  // the checkpoint of step 8, taken after epoch 2's batch 0
  EXPECT_DOUBLE_EQ(second.lr_after, 0.025);
  // Each epoch trains on its 7 good batches; the bad one is skipped for good.
  ASSERT_EQ(history.steps.size(), 14u);
  for (const StepRecord& s : history.steps)
    EXPECT_TRUE(std::isfinite(s.loss));
  ASSERT_EQ(history.epochs.size(), 2u);
  EXPECT_LT(*history.epochs.back().get("loss"), 1.0);
  expect_finite_weights(model);
  EXPECT_EQ(history.to_json()["recoveries"].size(), 2u);
}

TEST(Divergence, RollbackGivesUpAfterItsLimit) {
  Model model = linear_model();
  FitOptions options{.epochs = 2, .batch_size = 8, .shuffle = false, .verbose = 0};
  options.on_divergence = {.action = OnDivergence::rollback, .lr_factor = 0.5, .max_rollbacks = 1};
  const History history = model.fit(poisoned_regression(), options);
  EXPECT_TRUE(history.diverged);
  EXPECT_EQ(history.recoveries.size(), 1u);
  EXPECT_NE(history.divergence.find("after 1 rollbacks"), std::string::npos) << history.divergence;
  expect_finite_weights(model);
}

TEST(Divergence, RejectsABadPolicy) {
  Model model = linear_model();
  FitOptions options{.epochs = 1, .verbose = 0};
  options.on_divergence.lr_factor = 1.5;
  EXPECT_THROW(model.fit(poisoned_regression(), options), InvalidArgument);
}

}  // namespace
}  // namespace descent

namespace descent {
namespace {

// A finite loss whose gradient overflows: the parameter is named.
TEST(Divergence, ANonFiniteGradientIsCaughtAndItsParameterNamed) {
  Model model(1);
  model.add(Dense(1, {.input_shape = {1}}));
  model.compile(std::make_unique<SGD>(model.trainable_variables(), SGDOptions{.lr = 0.1}),
                make_loss("mse"), {});
  StateDict weights = model.weights();
  for (auto& [name, tensor] : weights.tensors)
    tensor[0] = name.ends_with("kernel") ? 1e-38f : 0.0f;
  model.set_weights(weights);
  // Prediction 3e38 * 1e-38 = 3 and loss 9 are finite; d loss / d kernel = 2 * 3 * 3e38 is not.
  const History history =
      model.fit(Tensor({1, 1}, {3e38f}), Tensor({1, 1}, {0.0f}), {.epochs = 1, .verbose = 0});
  ASSERT_TRUE(history.diverged);
  EXPECT_EQ(history.divergence,
            "gradient of dense/kernel became non-finite at step 1 (epoch 1, η = 0.1)");
  EXPECT_EQ(model.weights().tensors.at("dense/kernel")[0], 1e-38f);  // the bad step not applied
}

}  // namespace
}  // namespace descent
