// BatchNormalization's running statistics through training: fit() moves them while the optimizer
// never sees them, evaluation and prediction read them, and weights files and checkpoints carry
// them so that a resumed run predicts bitwise as an uninterrupted one.
#include <gtest/gtest.h>

#include "data/synthetic.h"
#include "nn/activation_layer.h"
#include "nn/batch_normalization.h"
#include "nn/dense.h"
#include "optim/adam.h"
#include "temp_dir.h"
#include "train/checkpoint.h"
#include "train/model.h"
#include "train/weights_file.h"
#include "training_fingerprint.h"

namespace descent {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using testing::training_fingerprint;

Model batch_norm_model() {
  Model model(5);
  model.add(Dense(16, {.input_shape = {2}}));
  model.add(BatchNormalization({.momentum = 0.9}));
  model.add(ActivationLayer("relu"));
  model.add(Dense(2));
  model.compile<Adam>({.lr = 0.01}, "sparse_categorical_crossentropy", {"accuracy"});
  return model;
}

BatchNormalization& batch_norm_of(Model& model) {
  return static_cast<BatchNormalization&>(*model.layers()[1]);
}

// Predictions read the running statistics, which the trainable weights alone do not fix.
std::string prediction_bytes(Model& model, const Dataset& data) {
  const Tensor x(Shape{data.size(), 2}, std::span<const float>(data.values));
  const Tensor y = model.predict(x);
  return {reinterpret_cast<const char*>(y.data()), y.size() * sizeof(float)};
}

TEST(BatchNormalizationTraining, FitMovesTheRunningStatisticsOutOfTheOptimizersReach) {
  const Dataset data = moons(100, 0.1, 3);
  Model model = batch_norm_model();
  EXPECT_EQ(model.optimizer().params().size(), 6u);  // two kernels, two biases, gamma, beta
  model.fit(data, {.epochs = 2, .batch_size = 16, .verbose = 0});
  BatchNormalization& bn = batch_norm_of(model);
  EXPECT_NE(bn.moving_mean().value()[0], 0.0f);
  EXPECT_NE(bn.moving_variance().value()[0], 1.0f);
  EXPECT_FALSE(bn.moving_mean().has_grad());

  // Evaluation is inference: the same figures twice, the statistics untouched.
  const Tensor mean = bn.moving_mean().value();
  const auto first = model.evaluate(data), second = model.evaluate(data);
  EXPECT_EQ(first.at("loss"), second.at("loss"));
  for (std::int64_t c = 0; c < mean.size(); ++c)
    EXPECT_EQ(bn.moving_mean().value()[c], mean[c]);
}

TEST(BatchNormalizationTraining, AWeightsFileCarriesTheRunningStatistics) {
  const Dataset data = moons(100, 0.1, 3);
  TempDir dir;
  Model trained = batch_norm_model();
  trained.fit(data, {.epochs = 1, .batch_size = 16, .verbose = 0});
  write_weights_file(dir / "weights.bin", trained.weights());
  const StateDict back = read_weights_file(dir / "weights.bin");
  EXPECT_TRUE(back.tensors.contains("batch_normalization/moving_variance"));
  Model loaded = batch_norm_model();
  loaded.set_weights(back);
  EXPECT_EQ(prediction_bytes(loaded, data), prediction_bytes(trained, data));
}

FitOptions checkpointed(const fs::path& dir) {
  return {.epochs = 3,
          .batch_size = 16,
          .verbose = 0,
          .checkpoint_dir = dir,
          .checkpoint_every = 5,
          .checkpoint_keep = 1000};
}

TEST(BatchNormalizationTraining, ResumingFromAnyCheckpointEndsBitwiseIdentical) {
  const Dataset data = moons(200, 0.1, 3);  // 13 batches per epoch, the last of 8
  TempDir dir;
  Model reference = batch_norm_model();
  reference.fit(data, checkpointed(dir / "full"));
  const std::string weights = training_fingerprint(reference);
  const std::string predictions = prediction_bytes(reference, data);

  const std::vector<fs::path> files = CheckpointStore(dir / "full", 1000).files();
  ASSERT_GE(files.size(), 8u);
  EXPECT_TRUE(read_checkpoint(files[0]).tensors.contains("model/batch_normalization/moving_mean"));
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const StateDict checkpoint = read_checkpoint(file);
    Model resumed = batch_norm_model();
    FitOptions options = checkpointed(dir / "resumed");
    options.resume_from = &checkpoint;
    resumed.fit(data, options);
    EXPECT_EQ(training_fingerprint(resumed), weights);
    EXPECT_EQ(prediction_bytes(resumed, data), predictions);
  }
}

}  // namespace
}  // namespace descent
