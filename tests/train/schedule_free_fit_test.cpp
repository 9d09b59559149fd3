// Schedule-Free in fit(): the steps go from the interpolation y, while validation, evaluate(),
// predict(), the epoch-end callbacks and the weights fit() leaves see the average x
// (Optimizer::use_eval_weights()). The switches change no bit of the run, and a checkpoint,
// which holds y and x, resumes it bitwise.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/make_optimizer.h"
#include "optim/sgd.h"
#include "temp_dir.h"
#include "train/callbacks/early_stopping.h"
#include "train/checkpoint.h"
#include "train/model.h"
#include "training_fingerprint.h"

namespace descent {
// A named namespace: the test sources are compiled in batches (unity build).
namespace schedule_free_fit_test {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TempDir;
using testing::training_fingerprint;

const std::vector<std::pair<std::string, json>> kOptimizers = {
    {"sgd_schedule_free", {{"lr", 0.5}, {"warmup_steps", 5}, {"weight_decay", 1e-3}}},
    {"adamw_schedule_free", {{"lr", 0.02}, {"warmup_steps", 5}}},
};

Model make_model() {
  Model model(11);
  model.add(Dense(16, {.activation = "tanh", .input_shape = {2}}));
  model.add(Dense(2));
  return model;
}

Model compiled(const std::string& optimizer, const json& hyperparameters) {
  Model model = make_model();
  model.compile(make_optimizer(optimizer, model.trainable_variables(), hyperparameters),
                make_loss("sparse_categorical_crossentropy", true), {"accuracy"});
  return model;
}

std::vector<float> flat(const StateDict& weights) {
  std::vector<float> out;
  for (const auto& [name, tensor] : weights.tensors)
    out.insert(out.end(), tensor.values().begin(), tensor.values().end());
  return out;
}

// The weights the callbacks are shown.
class WeightsSeen : public Callback {
 public:
  void on_step_end(Model& model, const StepRecord& /*step*/) override {
    after_last_step = model.weights();
  }
  void on_epoch_end(Model& model, int /*epoch*/, Logs& /*logs*/) override {
    at_epoch_end.push_back(model.weights());
  }
  StateDict after_last_step;
  std::vector<StateDict> at_epoch_end;
};

// A model with an optimizer that keeps no second point, holding `weights`.
Model plain_model(const StateDict& weights) {
  Model model = make_model();
  model.compile(std::make_unique<SGD>(model.trainable_variables(), SGDOptions{.lr = 0.1}),
                make_loss("sparse_categorical_crossentropy", true), {"accuracy"});
  model.set_weights(weights);
  return model;
}

TEST(ScheduleFreeFit, ValidationEvaluateAndPredictUseTheAverage) {
  const Dataset data = moons(300, 0.2, 1), validation = moons(100, 0.2, 2);
  for (const auto& [name, hp] : kOptimizers) {
    SCOPED_TRACE(name);
    Model model = compiled(name, hp);
    const auto seen = std::make_shared<WeightsSeen>();
    const History history = model.fit(data, {.epochs = 3,
                                             .batch_size = 32,
                                             .validation_data = &validation,
                                             .callbacks = {seen},
                                             .verbose = 0});
    // fit() leaves x in; the steps (and on_step_end) saw y; the epoch's end saw x.
    EXPECT_TRUE(model.optimizer().holds_eval_weights());
    const StateDict x = model.weights(), y = seen->after_last_step;
    ASSERT_NE(flat(x), flat(y));
    ASSERT_EQ(seen->at_epoch_end.size(), 3u);
    EXPECT_EQ(flat(seen->at_epoch_end.back()), flat(x));
    model.optimizer().use_train_weights();
    EXPECT_EQ(flat(model.weights()), flat(y));

    // With y in, evaluate() and predict() still answer for x, and put y back.
    Model at_x = plain_model(x), at_y = plain_model(y);
    const double loss_x = at_x.evaluate(validation).at("loss");
    ASSERT_NE(loss_x, at_y.evaluate(validation).at("loss"));
    EXPECT_EQ(history.epochs.back().get("val_loss"), loss_x);
    EXPECT_EQ(model.evaluate(validation).at("loss"), loss_x);
    EXPECT_EQ(flat(model.weights()), flat(y));
    const Tensor features = validation.features();
    const Tensor predicted = model.predict(features), expected = at_x.predict(features);
    EXPECT_TRUE(std::equal(predicted.values().begin(), predicted.values().end(),
                           expected.values().begin(), expected.values().end()));
    EXPECT_FALSE(model.optimizer().holds_eval_weights());

    // A step from x is refused; another fit() goes on from y.
    model.optimizer().use_eval_weights();
    EXPECT_THROW(model.optimizer().step(), InvalidArgument);
    EXPECT_NO_THROW(model.fit(data, {.epochs = 1, .batch_size = 32, .verbose = 0}));
    EXPECT_TRUE(model.optimizer().holds_eval_weights());
  }
}

// Evaluates at every step, as the range test's validation curve does.
class EvaluateEveryStep : public Callback {
 public:
  explicit EvaluateEveryStep(const Dataset& data) : data_(data) {}
  void on_step_end(Model& model, const StepRecord& /*step*/) override { model.evaluate(data_); }

 private:
  const Dataset& data_;
};

TEST(ScheduleFreeFit, SwitchingForEvaluationChangesNoBitOfTheRun) {
  const Dataset data = moons(300, 0.2, 1), validation = moons(100, 0.2, 2);
  for (const auto& [name, hp] : kOptimizers) {
    SCOPED_TRACE(name);
    Model quiet = compiled(name, hp);
    quiet.fit(data, {.epochs = 3, .batch_size = 32, .verbose = 0});
    Model busy = compiled(name, hp);
    busy.fit(data, {.epochs = 3,
                    .batch_size = 32,
                    .validation_data = &validation,
                    .callbacks = {std::make_shared<EvaluateEveryStep>(validation)},
                    .verbose = 0});
    EXPECT_EQ(training_fingerprint(busy), training_fingerprint(quiet));
  }
}

// EarlyStopping keeps the best epoch's x and puts it back; fit() ends with it in.
TEST(ScheduleFreeFit, EarlyStoppingRestoresTheBestAverage) {
  const Dataset data = moons(300, 0.2, 1), validation = moons(100, 0.2, 2);
  Model model = compiled("sgd_schedule_free", {{"lr", 2.0}});
  const auto seen = std::make_shared<WeightsSeen>();
  const auto stopping = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions{.min_delta = 0.02, .patience = 1, .restore_best_weights = true});
  model.fit(data, {.epochs = 30,
                   .batch_size = 32,
                   .validation_data = &validation,
                   .callbacks = {seen, stopping},
                   .verbose = 0});
  ASSERT_TRUE(stopping->stopped_epoch());
  ASSERT_NE(stopping->best_epoch(), *stopping->stopped_epoch());
  EXPECT_EQ(flat(model.weights()), flat(seen->at_epoch_end[stopping->best_epoch()]));
}

TEST(ScheduleFreeFit, ResumingFromAnyCheckpointEndsBitwiseIdentical) {
  const Dataset data = moons(200, 0.1, 3);  // 13 batches per epoch: checkpoints land mid-epoch
  for (const auto& [name, hp] : kOptimizers) {
    SCOPED_TRACE(name);
    TempDir dir;
    const auto options = [&](const fs::path& path) {
      return FitOptions{.epochs = 3,
                        .batch_size = 16,
                        .validation_split = 0.2,
                        .verbose = 0,
                        .checkpoint_dir = path,
                        .checkpoint_every = 5,
                        .checkpoint_keep = 1000};
    };
    Model reference = compiled(name, hp);
    const History full = reference.fit(data, options(dir / "full"));
    const std::string expected = training_fingerprint(reference);

    const std::vector<fs::path> files = CheckpointStore(dir / "full", 1000).files();
    ASSERT_GE(files.size(), 6u);
    for (const fs::path& file : files) {
      SCOPED_TRACE(file.filename().string());
      const StateDict checkpoint = read_checkpoint(file);
      // Taken on the training weights, with x in the optimizer's state.
      EXPECT_FALSE(checkpoint.meta.at("optimizer").contains("eval_weights"));
      EXPECT_TRUE(checkpoint.tensors.contains("optimizer/state.0.x"));
      Model resumed = compiled(name, hp);
      FitOptions resume = options(dir / "resumed");
      resume.resume_from = &checkpoint;
      const History history = resumed.fit(data, resume);
      EXPECT_EQ(training_fingerprint(resumed), expected);
      ASSERT_EQ(history.epochs.size(), 3u);
      EXPECT_EQ(history.epochs.back().get("val_loss"), full.epochs.back().get("val_loss"));
    }
  }
}

}  // namespace schedule_free_fit_test
}  // namespace descent
