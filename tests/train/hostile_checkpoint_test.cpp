// Checkpoints damaged where the container's checks cannot see (well-formed JSON and a correct
// checksum, but values that fit() never writes): resuming from one must throw a DataError that
// names the problem, never crash or resume from the wrong place. Each case was found by
// fuzz/fuzz_checkpoint (docs/fuzzing.md).
#include <cstdint>
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "optim/adam.h"
#include "temp_dir.h"
#include "train/checkpoint.h"
#include "train/model.h"

namespace descent {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

Model resumable_model() {
  Model model(7);
  model.add(Dense(4, {.activation = "relu", .input_shape = {2}}));
  model.add(Dropout(0.25f));
  model.add(Dense(2, {.activation = "softmax"}));
  model.compile<Adam>({.lr = 0.01}, "sparse_categorical_crossentropy", {"accuracy"});
  return model;
}

// Two epochs of two batches.
FitOptions resumable_run() {
  return {.epochs = 2, .batch_size = 4, .verbose = 0};
}

class HostileCheckpoint : public ::testing::Test {
 protected:
  // `state_` is the checkpoint after 3 of the run's 4 steps, for each test to damage.
  HostileCheckpoint() {
    Model model = resumable_model();
    FitOptions options = resumable_run();
    options.checkpoint_dir = dir_ / "run";
    options.checkpoint_every = 1;
    options.checkpoint_keep = 10;
    model.fit(data_, options);
    state_ = read_checkpoint(CheckpointStore(dir_ / "run", 10).files().at(2));
  }

  // Writes `state_`, reads it back and resumes the run from it; returns the DataError's message.
  std::string resume_error() const {
    const auto file = dir_ / "damaged.bin";
    write_checkpoint(file, state_);
    const StateDict damaged = read_checkpoint(file);
    Model model = resumable_model();
    FitOptions options = resumable_run();
    options.resume_from = &damaged;
    try {
      model.fit(data_, options);
    } catch (const DataError& e) {
      return e.what();
    }
    ADD_FAILURE() << "resumed from a damaged checkpoint";
    return {};
  }

  const Dataset data_ = moons(8, 0.1, 1);
  TempDir dir_;
  StateDict state_;
};

TEST_F(HostileCheckpoint, TheUndamagedCheckpointResumes) {
  Model model = resumable_model();
  FitOptions options = resumable_run();
  options.resume_from = &state_;
  EXPECT_EQ(model.fit(data_, options).steps.size(), 4u);
}

// Was undefined behaviour: nlohmann converted the float to an integer.
TEST_F(HostileCheckpoint, AFloatWhereAnIntegerBelongsIsRejected) {
  state_.meta["progress"]["step"] = 1e300;
  EXPECT_THAT(resume_error(),
              HasSubstr("the checkpoint's step must be an integer in [-9223372036854775808, "
                        "9223372036854775807], got 1e+300"));
}

TEST_F(HostileCheckpoint, AFloatInARandomStreamIsRejected) {
  state_.meta["model"]["random_streams"][0][1] = 1e300;
  EXPECT_THAT(resume_error(), HasSubstr("the checkpoint's random stream[1] must be an integer"));
}

TEST_F(HostileCheckpoint, AFloatInTheOptimizerStateIsRejected) {
  state_.meta["optimizer"]["iterations"] = -1e300;
  EXPECT_THAT(resume_error(), HasSubstr("adam state's iterations must be an integer"));
}

TEST_F(HostileCheckpoint, AFloatInTheHistoryIsRejected) {
  state_.meta["history"]["steps"]["step"][0] = 1e300;
  EXPECT_THAT(resume_error(), HasSubstr("history step must be an integer"));
}

// Was silently wrapped: epoch 2^40 resumed the run from epoch 0.
TEST_F(HostileCheckpoint, AnIntegerOutOfRangeIsRejected) {
  state_.meta["progress"]["epoch"] = std::int64_t{1} << 40;
  EXPECT_THAT(resume_error(), HasSubstr("the checkpoint's epoch must be an integer in "
                                        "[-2147483648, 2147483647], got 1099511627776"));
}

// Was undefined behaviour: without a schedule to stop it, training on overflowed the step count.
TEST_F(HostileCheckpoint, AStepNoRunReachesIsRejected) {
  state_.meta["progress"]["step"] = std::numeric_limits<std::int64_t>::max();
  EXPECT_THAT(resume_error(),
              HasSubstr("the checkpoint's position (epoch 2, batch 1, step 9223372036854775807, 4 "
                        "samples into the epoch) is past what 2 batches an epoch can reach"));
}

TEST_F(HostileCheckpoint, ABatchPastTheEpochIsRejected) {
  state_.meta["progress"]["batch"] = 3;
  EXPECT_THAT(resume_error(), HasSubstr("is past what 2 batches an epoch can reach"));
}

// Was a heap-buffer-overflow: the history's columns were indexed by the length of "step".
TEST_F(HostileCheckpoint, HistoryColumnsOfUnequalLengthAreRejected) {
  state_.meta["history"]["steps"]["epoch"] = {1};
  EXPECT_THAT(resume_error(), HasSubstr("the checkpoint is incomplete"));
}

// Was accepted: the run resumed from NaN weights and diverged at its next step.
TEST_F(HostileCheckpoint, NonFiniteTensorsAreRejected) {
  state_.tensors.at("model/dense/kernel").data()[0] = std::numeric_limits<float>::infinity();
  EXPECT_THAT(resume_error(),
              HasSubstr("the checkpoint's tensor \"model/dense/kernel\" holds NaN or infinity"));
}

}  // namespace
}  // namespace descent
