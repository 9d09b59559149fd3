// Stateful callbacks resume exactly: a run with EarlyStopping, ReduceLROnPlateau and
// ModelCheckpoint resumed from any of its checkpoints ends as if it had never stopped.
#include <filesystem>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "optim/sgd.h"
#include "temp_dir.h"
#include "train/callbacks/early_stopping.h"
#include "train/callbacks/model_checkpoint.h"
#include "train/callbacks/reduce_lr_on_plateau.h"
#include "train/callbacks/step_counter.h"
#include "train/checkpoint.h"
#include "train/model.h"
#include "training_fingerprint.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::training_fingerprint;

Model plateau_model() {
  Model model(11);
  model.add(Dense(8, {.activation = "tanh", .input_shape = {2}}));
  model.add(Dense(2));
  model.compile<SGD>({.lr = 0.1, .momentum = 0.9}, "sparse_categorical_crossentropy", {});
  return model;
}

// A scripted "val_loss" so the callbacks' decisions are known: best at epoch 3 (index 2), then
// worse. ReduceLROnPlateau (patience 1) halves η at the end of epochs 4 and 5; EarlyStopping
// (patience 3) stops at the end of epoch 6 and puts back epoch 3's weights; ModelCheckpoint with
// save_best_only writes epochs 1, 2 and 3 only.
class ScriptedValLoss : public Callback {
 public:
  void on_epoch_end(Model& /*model*/, int epoch, Logs& logs) override {
    const double values[] = {1.0, 0.8, 0.7, 0.75, 0.9, 0.95, 0.99, 1.2, 1.3, 1.4};
    logs.set("val_loss", values[epoch]);
  }
};

struct PlateauRun {
  std::shared_ptr<EarlyStopping> stopper = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions{.patience = 3, .restore_best_weights = true});
  std::vector<std::shared_ptr<Callback>> callbacks;

  explicit PlateauRun(const fs::path& best_weights) {
    fs::create_directories(best_weights);
    callbacks = {std::make_shared<ScriptedValLoss>(),
                 std::make_shared<ReduceLROnPlateauCallback>(
                     ReduceLROnPlateauCallbackOptions{.factor = 0.5, .patience = 1}),
                 std::make_shared<ModelCheckpoint>(best_weights / "w{epoch}.bin",
                                                   ModelCheckpointOptions{.save_best_only = true}),
                 stopper};
  }

  FitOptions options(const fs::path& checkpoints) const {
    return {.epochs = 10,
            .batch_size = 16,
            .callbacks = callbacks,
            .verbose = 0,
            .checkpoint_dir = checkpoints,
            .checkpoint_every = 5,
            .checkpoint_keep = 1000};
  }
};

std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> names;
  if (fs::exists(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      names.insert(entry.path().filename().string());
  return names;
}

TEST(CallbackResume, ResumingFromAnyCheckpointKeepsEveryCallbacksState) {
  const Dataset data = moons(200, 0.1, 7);  // 13 batches per epoch: checkpoints land mid-epoch
  TempDir dir;
  Model reference = plateau_model();
  PlateauRun full(dir / "best_full");
  const History expected = reference.fit(data, full.options(dir / "full"));
  // The script did what it says, so each callback's state matters to the outcome.
  ASSERT_EQ(expected.epochs.size(), 6u);
  ASSERT_EQ(full.stopper->stopped_epoch(), 5);
  ASSERT_EQ(full.stopper->best_epoch(), 2);
  EXPECT_DOUBLE_EQ(*expected.epochs.back().get("lr"), 0.1 * 0.5 * 0.5 * 0.5);
  EXPECT_EQ(files_in(dir / "best_full"), (std::set<std::string>{"w1.bin", "w2.bin", "w3.bin"}));

  const std::vector<fs::path> checkpoints = CheckpointStore(dir / "full", 1000).files();
  ASSERT_GE(checkpoints.size(), 15u);
  int k = 0;
  for (const fs::path& file : checkpoints) {
    SCOPED_TRACE(file.filename().string());
    const StateDict checkpoint = read_checkpoint(file);
    const fs::path best_dir = dir / ("best_" + std::to_string(k++));
    Model resumed = plateau_model();
    PlateauRun again(best_dir);
    FitOptions options = again.options(dir / "resumed");
    options.resume_from = &checkpoint;
    const auto counter = std::make_shared<StepCounter>();
    options.callbacks.push_back(counter);
    const History history = resumed.fit(data, options);
    // A restart from step 0 ends in the same weights; only the steps it trains tell them apart.
    const auto saved_step = checkpoint.meta.at("progress").at("step").get<std::int64_t>();
    EXPECT_EQ(counter->steps(), static_cast<std::int64_t>(expected.steps.size()) - saved_step);
    EXPECT_EQ(training_fingerprint(resumed), training_fingerprint(reference));
    ASSERT_EQ(history.epochs.size(), expected.epochs.size());
    for (std::size_t e = 0; e < history.epochs.size(); ++e)
      EXPECT_EQ(history.epochs[e].get("lr"), expected.epochs[e].get("lr")) << "epoch " << e + 1;
    EXPECT_EQ(again.stopper->stopped_epoch(), 5);
    EXPECT_EQ(again.stopper->best_epoch(), 2);
    // A resumed ModelCheckpoint knows the best so far: it writes no epoch the full run did not.
    for (const std::string& name : files_in(best_dir))
      EXPECT_TRUE(files_in(dir / "best_full").contains(name)) << name;
    fs::remove_all(dir / "resumed");
  }
}

TEST(CallbackResume, RefusesACheckpointTakenWithOtherStatefulCallbacks) {
  const Dataset data = moons(64, 0.1, 7);
  TempDir dir;
  Model model = plateau_model();
  PlateauRun run(dir / "best");
  FitOptions options = run.options(dir / "run");
  options.epochs = 2;
  model.fit(data, options);
  const auto last = CheckpointStore(dir / "run", 1000).load_latest();
  ASSERT_TRUE(last.has_value());

  Model without = plateau_model();
  FitOptions plain{.epochs = 2, .batch_size = 16, .verbose = 0, .resume_from = &last->state};
  try {
    without.fit(data, plain);
    FAIL() << "resumed a checkpoint whose callbacks this run lacks";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("stateful callbacks"), std::string::npos) << e.what();
  }

  Model other = plateau_model();
  PlateauRun watching_loss(dir / "best_other");
  watching_loss.callbacks.back() = std::make_shared<EarlyStopping>(
      EarlyStoppingOptions{.monitor = "loss", .patience = 3, .restore_best_weights = true});
  FitOptions other_options = watching_loss.options(dir / "other");
  other_options.epochs = 2;
  other_options.resume_from = &last->state;
  try {
    other.fit(data, other_options);
    FAIL() << "resumed an EarlyStopping that monitored another figure";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("monitored \"val_loss\""), std::string::npos) << e.what();
  }
}

// Callback state damaged where the checksum cannot see it is refused with a DataError naming it.
TEST(CallbackResume, DamagedCallbackStateIsRefused) {
  const Dataset data = moons(200, 0.1, 7);
  TempDir dir;
  Model model = plateau_model();
  PlateauRun run(dir / "best");
  model.fit(data, run.options(dir / "run"));
  // Epoch 4's end: EarlyStopping (the third stateful callback) holds epoch 3's weights.
  const StateDict original = read_checkpoint(CheckpointStore(dir / "run", 1000).files().at(15));
  ASSERT_EQ(original.meta.at("progress").at("epoch"), 4);
  ASSERT_EQ(original.meta.at("callbacks").at(2).at("has_best_weights"), true);

  const auto resume_error = [&](const auto& damage) {
    StateDict state = original;
    damage(state);
    Model resumed = plateau_model();
    PlateauRun again(dir / "best_again");
    FitOptions options = again.options(dir / "again");
    options.resume_from = &state;
    try {
      resumed.fit(data, options);
    } catch (const DataError& e) {
      return std::string(e.what());
    }
    return std::string("resumed");
  };
  const auto early_stopping = [](StateDict& s) -> nlohmann::json& {
    return s.meta.at("callbacks").at(2);
  };
  EXPECT_THAT(resume_error([&](StateDict& s) { early_stopping(s)["wait"] = 1e300; }),
              HasSubstr("EarlyStopping's wait must be an integer"));
  EXPECT_THAT(resume_error([&](StateDict& s) { early_stopping(s)["monitor"]["best"] = "low"; }),
              HasSubstr("best is not a number"));
  EXPECT_THAT(resume_error([&](StateDict& s) { early_stopping(s).erase("stopped_epoch"); }),
              HasSubstr("the checkpoint is incomplete"));
  EXPECT_THAT(resume_error([&](StateDict& s) { early_stopping(s)["has_best_weights"] = false; }),
              HasSubstr("holds best weights for an EarlyStopping that kept none"));
  EXPECT_THAT(resume_error([&](StateDict& s) {
                s.tensors.at("callbacks/2/dense/kernel") = Tensor({3, 8});
              }),
              HasSubstr("EarlyStopping best weights \"dense/kernel\" have shape (3, 8), the model "
                        "expects (2, 8)"));
  EXPECT_THAT(resume_error([&](StateDict& s) {
                s.meta.at("callbacks").at(0).swap(s.meta.at("callbacks").at(1));
              }),
              HasSubstr("the checkpoint was taken with the stateful callbacks"));
  EXPECT_EQ(resume_error([](StateDict&) {}), "resumed");
}

}  // namespace
}  // namespace descent
