#include "train/model.h"

#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "core/buffer_pool.h"
#include "core/error.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/adam.h"
#include "optim/schedule/step_lr.h"
#include "optim/sgd.h"
#include "train/callbacks/learning_rate_scheduler.h"

namespace descent {
namespace {

Model small_classifier(std::uint64_t seed = 7) {
  Model model(seed);
  model.add(Dense(16, {.activation = "tanh", .input_shape = {2}}));
  model.add(Dense(2));
  return model;
}

void compile_sgd(Model& model, double lr, double momentum = 0.0) {
  model.compile(std::make_unique<SGD>(model.trainable_variables(),
                                      SGDOptions{.lr = lr, .momentum = momentum}),
                make_loss("sparse_categorical_crossentropy", true), {"accuracy"});
}

TEST(Model, LearnsMoons) {
  const Dataset data = moons(600, 0.1, 1);
  Model model = small_classifier();
  compile_sgd(model, 0.1, 0.9);
  const History history = model.fit(data, {.epochs = 20, .batch_size = 32, .verbose = 0});
  ASSERT_EQ(history.epochs.size(), 20u);
  EXPECT_LT(history.epochs.back().get("loss").value(), history.epochs.front().get("loss").value());
  EXPECT_GT(model.evaluate(data).at("accuracy"), 0.85);
}

TEST(Model, TutorialLearningRateIsReadableAndSettable) {
  const Dataset data = tutorial_two_class(1);
  Model model;
  model.add(Dense(16, {.activation = "relu", .input_shape = {1}}));
  model.add(Dense(32, {.activation = "relu", .kernel_regularizer = L2(0.01)}));
  model.add(Dense(2, {.activation = "sigmoid"}));
  model.compile<Adam>({.lr = 1e-4}, "sparse_categorical_crossentropy", {"accuracy"});
  const History first =
      model.fit(data, {.epochs = 2, .batch_size = 10, .validation_split = 0.1, .verbose = 0});
  EXPECT_DOUBLE_EQ(model.optimizer().lr(), 1e-4);
  EXPECT_DOUBLE_EQ(first.steps.back().lr, 1e-4);
  EXPECT_TRUE(first.epochs.back().contains("val_accuracy"));
  model.optimizer().set_lr(0.01);
  EXPECT_DOUBLE_EQ(model.optimizer().lr(), 0.01);
  const History next = model.fit(data, {.epochs = 1, .batch_size = 10, .verbose = 0});
  EXPECT_DOUBLE_EQ(next.steps.front().lr, 0.01);
  EXPECT_THROW(model.optimizer().set_lr(-1.0), InvalidArgument);
  EXPECT_THROW(model.optimizer().set_lr(std::nan("")), InvalidArgument);
}

// One full-batch SGD step with L1 and L2 penalties moves each weight by η times the data
// gradient plus l1·sign(w) + 2·l2·w (Keras's), and the step's loss includes the penalty.
TEST(Model, WeightPenaltiesAreTermsOfTheTrainingLoss) {
  const Dataset data = moons(32, 0.2, 3);
  const double lr = 0.5, l1 = 0.01, l2 = 0.05;
  const auto model_with = [](Regularizer kernel, Regularizer bias) {
    Model model(7);
    model.add(Dense(4, {.activation = "tanh", .input_shape = {2}}));
    model.add(Dense(2, {.kernel_regularizer = kernel, .bias_regularizer = bias}));
    return model;
  };
  Model plain = model_with({}, {});
  Model penalised = model_with(L1L2(l1, l2), L2(l2));
  const StateDict start = plain.weights();
  const FitOptions one_step{.epochs = 1, .batch_size = 32, .shuffle = false, .verbose = 0};
  compile_sgd(plain, lr);
  compile_sgd(penalised, lr);
  const History plain_run = plain.fit(data, one_step);
  const History penalised_run = penalised.fit(data, one_step);
  const StateDict after_plain = plain.weights(), after = penalised.weights();
  const Tensor& w0 = start.tensors.at("dense_1/kernel");
  const Tensor& b0 = start.tensors.at("dense_1/bias");
  const Tensor& w_plain = after_plain.tensors.at("dense_1/kernel");
  const Tensor& b_plain = after_plain.tensors.at("dense_1/bias");
  const Tensor& w = after.tensors.at("dense_1/kernel");
  const Tensor& b = after.tensors.at("dense_1/bias");
  double penalty = 0.0;
  for (std::int64_t i = 0; i < w0.size(); ++i) {
    const double sign = w0[i] > 0 ? 1.0 : -1.0;
    EXPECT_NEAR(w[i], w_plain[i] - lr * (l1 * sign + 2 * l2 * w0[i]), 1e-6) << i;
    penalty += l1 * std::abs(w0[i]) + l2 * w0[i] * w0[i];
  }
  for (std::int64_t i = 0; i < b0.size(); ++i) {
    EXPECT_NEAR(b[i], b_plain[i] - lr * 2 * l2 * b0[i], 1e-6) << i;
    penalty += l2 * b0[i] * b0[i];
  }
  EXPECT_NEAR(penalised_run.steps[0].loss, plain_run.steps[0].loss + penalty, 1e-6);
  // The hidden layer has no penalty: its weights move as without one.
  const Tensor& h = after.tensors.at("dense/kernel");
  const Tensor& h_plain = after_plain.tensors.at("dense/kernel");
  for (std::int64_t i = 0; i < h.size(); ++i)
    EXPECT_EQ(h[i], h_plain[i]) << i;
}

TEST(Model, SameSeedGivesBitwiseIdenticalWeights) {
  const Dataset data = moons(300, 0.2, 2);
  StateDict weights[2];
  for (auto& w : weights) {
    Model model = small_classifier(11);
    compile_sgd(model, 0.05, 0.9);
    model.fit(data, {.epochs = 3, .batch_size = 16, .verbose = 0});
    w = model.weights();
  }
  for (const auto& [name, tensor] : weights[0].tensors)
    EXPECT_EQ(std::memcmp(tensor.data(), weights[1].tensors.at(name).data(),
                          tensor.size() * sizeof(float)),
              0)
        << name;
}

TEST(Model, DivergingRunStopsAtOnceWithFiniteWeights) {
  const Dataset data = linear_regression(256, std::vector<double>{3.0, -2.0}, 1.0, 0.1, 3);
  Model model(1);
  model.add(Dense(1, {.input_shape = {2}}));
  model.compile(std::make_unique<SGD>(model.trainable_variables(), SGDOptions{.lr = 50.0}),
                make_loss("mse"), {});
  const History history = model.fit(data, {.epochs = 50, .batch_size = 32, .verbose = 0});
  EXPECT_TRUE(history.diverged);
  EXPECT_NE(history.divergence.find("step"), std::string::npos);
  EXPECT_LT(history.epochs.size(), 50u);
  for (const auto& [name, tensor] : model.weights().tensors)
    for (float v : tensor.values())
      EXPECT_TRUE(std::isfinite(v)) << name;
}

TEST(Model, ScheduleSetsEtaEveryStepAndComposesWithSetLr) {
  const Dataset data = moons(64, 0.1, 4);
  Model model = small_classifier();
  compile_sgd(model, 0.1);
  auto schedule = std::make_shared<StepLR>(0.1, StepLROptions{.step_size = 2, .gamma = 0.5});
  const History history =
      model.fit(data, {.epochs = 1, .batch_size = 16, .verbose = 0, .schedule = schedule});
  ASSERT_EQ(history.steps.size(), 4u);
  EXPECT_DOUBLE_EQ(history.steps[0].lr, 0.1);
  EXPECT_DOUBLE_EQ(history.steps[1].lr, 0.1);
  EXPECT_DOUBLE_EQ(history.steps[2].lr, 0.05);
  EXPECT_DOUBLE_EQ(history.steps[3].lr, 0.05);

  // A change of η from outside (here a callback at the next epoch's start) rescales the schedule.
  auto times_ten = std::make_shared<LearningRateScheduler>([](int, double lr) { return lr * 10; });
  const History more = model.fit(data, {.epochs = 1,
                                        .batch_size = 16,
                                        .callbacks = {times_ten},
                                        .verbose = 0,
                                        .schedule = schedule});
  ASSERT_EQ(more.steps.size(), 4u);
  EXPECT_DOUBLE_EQ(more.steps[0].lr, 1.0);  // schedule(0) = 0.1, times 10
  EXPECT_DOUBLE_EQ(more.steps[2].lr, 0.5);
}

TEST(Model, SteadyStateStepsAllocateNoNewTensorMemory) {
  const Dataset data = moons(512, 0.1, 5);
  Model model = small_classifier();
  compile_sgd(model, 0.05, 0.9);
  // From an empty pool the first epoch must allocate: the counter is seen to move.
  BufferPool::trim();
  const std::uint64_t empty = BufferPool::fresh_allocations();
  model.fit(data, {.epochs = 1, .batch_size = 64, .verbose = 0});
  ASSERT_GT(BufferPool::fresh_allocations(), empty);
  const std::uint64_t before = BufferPool::fresh_allocations();
  model.fit(data, {.epochs = 2, .batch_size = 64, .verbose = 0});
  EXPECT_EQ(BufferPool::fresh_allocations(), before);
}

TEST(Model, PredictAndEvaluateAgree) {
  const Dataset data = moons(200, 0.1, 6);
  Model model = small_classifier();
  compile_sgd(model, 0.1, 0.9);
  model.fit(data, {.epochs = 5, .batch_size = 20, .verbose = 0});
  const Tensor outputs = model.predict(data.features(), 7);
  ASSERT_EQ(outputs.shape(), (Shape{200, 2}));
  int correct = 0;
  for (std::int64_t i = 0; i < 200; ++i)
    correct += (outputs[2 * i + 1] > outputs[2 * i]) == (data.labels[i] == 1);
  EXPECT_NEAR(model.evaluate(data).at("accuracy"), correct / 200.0, 1e-9);
}

TEST(Model, RejectsBadFitArguments) {
  const Dataset data = moons(50, 0.1, 7);
  Model model = small_classifier();
  EXPECT_THROW(model.fit(data, {.verbose = 0}), InvalidArgument);  // not compiled
  compile_sgd(model, 0.1);
  EXPECT_THROW(model.fit(data, {.batch_size = 0, .verbose = 0}), InvalidArgument);
  Dataset wrong = moons(50, 0.1, 7);
  wrong.labels[3] = 5;
  wrong.num_classes = 6;
  EXPECT_THROW(model.fit(wrong, {.verbose = 0}), DataError);
}

}  // namespace
}  // namespace descent
