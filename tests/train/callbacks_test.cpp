#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/sgd.h"
#include "temp_dir.h"
#include "train/callbacks/csv_logger.h"
#include "train/callbacks/early_stopping.h"
#include "train/callbacks/learning_rate_scheduler.h"
#include "train/callbacks/model_checkpoint.h"
#include "train/model.h"
#include "train/weights_file.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

Model compiled_model(double lr) {
  Model model(3);
  model.add(Dense(8, {.activation = "tanh", .input_shape = {2}}));
  model.add(Dense(2));
  model.compile(std::make_unique<SGD>(model.trainable_variables(), SGDOptions{.lr = lr}),
                make_loss("sparse_categorical_crossentropy", true), {"accuracy"});
  return model;
}

// Stops improving after epoch 3: the monitored value is scripted.
class ScriptedValue : public Callback {
 public:
  void on_epoch_end(Model&, int epoch, Logs& logs) override {
    const double values[] = {1.0, 0.8, 0.7, 0.75, 0.9, 0.95, 0.99, 1.2};
    logs.set("val_loss", values[epoch]);
  }
};

TEST(EarlyStopping, StopsAfterPatienceAndRestoresBestWeights) {
  const Dataset data = moons(100, 0.1, 1);
  Model model = compiled_model(0.1);
  auto stopper = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions{.patience = 2, .restore_best_weights = true});
  StateDict at_best;
  struct Snapshot : Callback {
    StateDict* out;
    explicit Snapshot(StateDict* o) : out(o) {}
    void on_epoch_end(Model& m, int epoch, Logs&) override {
      if (epoch == 2) *out = m.weights();
    }
  };
  const History history =
      model.fit(data, {.epochs = 8,
                       .batch_size = 10,
                       .callbacks = {std::make_shared<ScriptedValue>(),
                                     std::make_shared<Snapshot>(&at_best), stopper},
                       .verbose = 0});
  EXPECT_EQ(history.epochs.size(), 5u);  // best at epoch index 2, two epochs without improvement
  ASSERT_TRUE(stopper->stopped_epoch().has_value());
  EXPECT_EQ(*stopper->stopped_epoch(), 4);
  EXPECT_EQ(stopper->best_epoch(), 2);
  for (const auto& [name, tensor] : model.weights().tensors)
    for (std::int64_t i = 0; i < tensor.size(); ++i)
      ASSERT_EQ(tensor[i], at_best.tensors.at(name)[i]);
}

TEST(CSVLogger, WritesOneRowPerEpoch) {
  const testing::TempDir temp;
  const fs::path file = temp / "log.csv";
  Model model = compiled_model(0.1);
  model.fit(moons(60, 0.1, 2), {.epochs = 3,
                                .batch_size = 20,
                                .callbacks = {std::make_shared<CSVLogger>(file)},
                                .verbose = 0});
  std::ifstream in(file);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "epoch,loss,accuracy,lr,seconds");
  int rows = 0;
  while (std::getline(in, line))
    ++rows;
  EXPECT_EQ(rows, 3);
}

TEST(LearningRateScheduler, SetsEtaAtEachEpochStart) {
  Model model = compiled_model(0.1);
  auto halve = std::make_shared<LearningRateScheduler>(
      [](int epoch, double lr) { return epoch == 0 ? lr : lr / 2; });
  const History history = model.fit(
      moons(40, 0.1, 3), {.epochs = 3, .batch_size = 20, .callbacks = {halve}, .verbose = 0});
  EXPECT_DOUBLE_EQ(history.epochs[0].get("lr").value(), 0.1);
  EXPECT_DOUBLE_EQ(history.epochs[2].get("lr").value(), 0.025);
  EXPECT_DOUBLE_EQ(history.steps.back().lr, 0.025);
}

TEST(ModelCheckpoint, WritesLoadableWeightsPerEpoch) {
  const testing::TempDir temp;
  const fs::path& dir = temp.path();
  Model model = compiled_model(0.1);
  model.fit(moons(40, 0.1, 4),
            {.epochs = 2,
             .batch_size = 20,
             .callbacks = {std::make_shared<ModelCheckpoint>(dir / "w{epoch}.bin")},
             .verbose = 0});
  ASSERT_TRUE(fs::exists(dir / "w1.bin"));
  ASSERT_TRUE(fs::exists(dir / "w2.bin"));
  const StateDict saved = read_weights_file(dir / "w2.bin");
  const StateDict now = model.weights();
  for (const auto& [name, tensor] : now.tensors)
    for (std::int64_t i = 0; i < tensor.size(); ++i)
      ASSERT_EQ(tensor[i], saved.tensors.at(name)[i]);
}

}  // namespace
}  // namespace descent

namespace descent {
namespace {

// on_step_end sees each step's own loss and η, the same records the history keeps.
TEST(Callback, OnStepEndSeesEveryStepsOwnLoss) {
  const Dataset data = moons(64, 0.1, 2);
  Model model = compiled_model(0.1);
  struct Recorder : Callback {
    std::vector<StepRecord> seen;
    void on_step_end(Model&, const StepRecord& step) override { seen.push_back(step); }
  };
  auto recorder = std::make_shared<Recorder>();
  const History history =
      model.fit(data, {.epochs = 2, .batch_size = 16, .callbacks = {recorder}, .verbose = 0});
  ASSERT_EQ(recorder->seen.size(), history.steps.size());
  ASSERT_EQ(recorder->seen.size(), 8u);
  for (std::size_t i = 0; i < history.steps.size(); ++i) {
    EXPECT_EQ(recorder->seen[i].step, history.steps[i].step);
    EXPECT_EQ(recorder->seen[i].loss, history.steps[i].loss);
    EXPECT_EQ(recorder->seen[i].lr, 0.1);
  }
}

}  // namespace
}  // namespace descent
