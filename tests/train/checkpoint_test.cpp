#include "train/checkpoint.h"

#include <sys/resource.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/random_flip.h"
#include "optim/adam.h"
#include "optim/schedule/step_lr.h"
#include "temp_dir.h"
#include "train/callbacks/step_counter.h"
#include "train/model.h"
#include "train/weights_file.h"
#include "training_fingerprint.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::training_fingerprint;

// A model that uses every random stream a checkpoint must carry: shuffling, dropout and a
// random flip (here of the hidden features: what matters is its draws).
Model make_model() {
  Model model(5);
  model.add(Dense(16, {.activation = "relu", .input_shape = {2}}));
  model.add(Dropout(0.2f));
  model.add(RandomFlip("horizontal"));
  model.add(Dense(2));
  model.compile<Adam>({.lr = 0.01}, "sparse_categorical_crossentropy", {"accuracy"});
  return model;
}

std::shared_ptr<Schedule> make_step_schedule() {
  return std::make_shared<StepLR>(0.01, StepLROptions{.step_size = 7, .gamma = 0.8});
}

FitOptions fit_options(const fs::path& dir, const std::shared_ptr<Schedule>& schedule) {
  return {.epochs = 3,
          .batch_size = 16,
          .verbose = 0,
          .schedule = schedule,
          .checkpoint_dir = dir,
          .checkpoint_every = 5,
          .checkpoint_keep = 1000};
}

TEST(Checkpoint, ResumingFromAnyCheckpointEndsBitwiseIdentical) {
  const Dataset data = moons(200, 0.1, 3);  // 13 batches per epoch: checkpoints land mid-epoch
  TempDir dir;
  Model reference = make_model();
  const History full = reference.fit(data, fit_options(dir / "full", make_step_schedule()));
  const std::string expected = training_fingerprint(reference);

  const std::vector<fs::path> files = CheckpointStore(dir / "full", 1000).files();
  ASSERT_GE(files.size(), 8u);  // every 5 steps and each epoch's end
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const StateDict checkpoint = read_checkpoint(file);
    Model resumed = make_model();
    const auto schedule = make_step_schedule();
    FitOptions options = fit_options(dir / "resumed", schedule);
    options.resume_from = &checkpoint;
    const auto counter = std::make_shared<StepCounter>();
    options.callbacks = {counter};
    const History history = resumed.fit(data, options);
    // A restart from step 0 ends in the same weights; only the steps it trains tell them apart.
    const auto saved_step = checkpoint.meta.at("progress").at("step").get<std::int64_t>();
    const auto total = static_cast<std::int64_t>(full.steps.size());
    EXPECT_EQ(counter->steps(), total - saved_step);
    if (saved_step < total) {
      EXPECT_EQ(counter->first_step(), saved_step + 1);
    }
    EXPECT_EQ(training_fingerprint(resumed), expected);
    ASSERT_EQ(history.steps.size(), full.steps.size());
    EXPECT_EQ(history.steps.back().loss, full.steps.back().loss);
    ASSERT_EQ(history.epochs.size(), 3u);
    EXPECT_EQ(history.epochs.back().get("loss"), full.epochs.back().get("loss"));
    EXPECT_EQ(history.epochs.back().get("accuracy"), full.epochs.back().get("accuracy"));
  }
}

// Trains `model` for fit_options' 3 epochs with checkpoints in `dir`; returns the last checkpoint.
LoadedCheckpoint finished_run(Model& model, const Dataset& data, const fs::path& dir) {
  model.fit(data, fit_options(dir, nullptr));
  auto last = CheckpointStore(dir, 3).load_latest();
  if (!last) throw std::runtime_error("no checkpoint written");
  return std::move(*last);
}

TEST(Checkpoint, ResumingAFinishedRunTrainsNoMore) {
  const Dataset data = moons(100, 0.1, 3);
  TempDir dir;
  Model model = make_model();
  const LoadedCheckpoint last = finished_run(model, data, dir.path());
  Model again = make_model();
  FitOptions options = fit_options(dir / "again", nullptr);
  options.resume_from = &last.state;
  const auto counter = std::make_shared<StepCounter>();
  options.callbacks = {counter};
  const History history = again.fit(data, options);
  EXPECT_EQ(training_fingerprint(again), training_fingerprint(model));
  EXPECT_EQ(history.epochs.size(), 3u);
  EXPECT_EQ(counter->steps(), 0);
}

TEST(Checkpoint, RejectsACheckpointOfAnotherRun) {
  const Dataset data = moons(100, 0.1, 3);
  TempDir dir;
  Model model = make_model();
  const LoadedCheckpoint last = finished_run(model, data, dir.path());
  Model other = make_model();
  FitOptions options = fit_options(dir / "other", nullptr);
  options.batch_size = 32;
  options.resume_from = &last.state;
  EXPECT_THROW(other.fit(data, options), DataError);
  Model wider(5);
  wider.add(Dense(32, {.activation = "relu", .input_shape = {2}}));
  wider.add(Dense(2));
  wider.compile<Adam>({.lr = 0.01}, "sparse_categorical_crossentropy", {"accuracy"});
  options.batch_size = 16;
  EXPECT_THROW(wider.fit(data, options), DataError);
}

TEST(CheckpointStore, KeepsTheNewestAndCleansUpAfterAKilledWriter) {
  TempDir dir;
  StateDict state;
  state.tensors.emplace("w", Tensor({2}, {1.0f, 2.0f}));
  {
    CheckpointStore store(dir.path(), 2);
    for (std::int64_t step : {10, 20, 30})
      store.save(step, state);
    ASSERT_EQ(store.files().size(), 2u);
    EXPECT_EQ(store.files().front().filename(), "checkpoint-0000000020.bin");
  }
  dir.write(".checkpoint-0000000040.bin.tmp.123.0", "half a checkpoint");
  CheckpointStore store(dir.path(), 2);
  EXPECT_FALSE(fs::exists(dir / ".checkpoint-0000000040.bin.tmp.123.0"));
  // A damaged newest file is passed over for the one before it, and the reason is kept.
  std::fstream(store.files().back(), std::ios::in | std::ios::out | std::ios::binary)
      .seekp(30)
      .put('X');
  const auto loaded = store.load_latest();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->path.filename(), "checkpoint-0000000020.bin");
  ASSERT_EQ(loaded->damaged.size(), 1u);
  EXPECT_NE(loaded->damaged[0].find("checksum"), std::string::npos);
}

TEST(CheckpointStore, AFileThatIsNotACheckpointIsRejected) {
  TempDir dir;
  StateDict weights;
  weights.tensors.emplace("w", Tensor({1}, {1.0f}));
  write_weights_file(dir / "weights.bin", weights);
  EXPECT_THROW(read_checkpoint(dir / "weights.bin"), DataError);
}

// A write that fails part-way (here the file-size limit, as a full disk would) leaves the previous
// checkpoint intact and nothing under the final name.
TEST(CheckpointStore, AFailedWriteKeepsThePreviousCheckpoint) {
  TempDir dir;
  CheckpointStore store(dir.path(), 3);
  StateDict small, large;
  small.tensors.emplace("w", Tensor({4}, {1.0f, 2.0f, 3.0f, 4.0f}));
  large.tensors.emplace("w", Tensor({1 << 16}));
  store.save(1, small);

  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = 64 * 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string message;
  try {
    store.save(2, large);
  } catch (const IoError& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);

  EXPECT_NE(message.find("cannot write"), std::string::npos) << message;
  EXPECT_NE(message.find("File too large"), std::string::npos) << message;
  ASSERT_EQ(store.files().size(), 1u);
  EXPECT_EQ(store.files()[0].filename(), "checkpoint-0000000001.bin");
  EXPECT_EQ(read_checkpoint(store.files()[0]).tensors.at("w")[3], 4.0f);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace descent
