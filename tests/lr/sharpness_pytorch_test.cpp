// descent's exact λmax (and the top eigenvalues by Lanczos) against PyTorch's full float64 Hessian
// of the same small tanh and ReLU networks, weights and data (tests/fixtures/sharpness.json from
// tools/fixtures/gen_sharpness.py): within 1e-5 relative, which finite differences of float32
// gradients do not reach. And a BatchNormalization network in training mode (batch statistics),
// whose Hessian goes through each batch's mean and variance.
#include <cmath>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../support/fixture_file.h"
#include "core/error.h"
#include "loss/losses.h"
#include "lr/lanczos.h"
#include "lr/sharpness.h"
#include "lr/sharpness_tracker.h"
#include "nn/activation_layer.h"
#include "nn/batch_normalization.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "optim/sgd.h"

namespace descent {
namespace {

struct Subject {
  Model model{1};
  Dataset data;
};

void read_data(const nlohmann::json& c, Subject& s) {
  const auto x_shape = c["x"]["shape"].get<Shape>();
  s.data.sample_shape = {x_shape[1]};
  s.data.values = c["x"]["data"].get<std::vector<float>>();
  s.data.labels = c["labels"].get<std::vector<std::int32_t>>();
  s.data.num_classes = c["units"][1].get<std::int32_t>();
}

// Compiles the model with its layers added, and sets its weights from the case's.
void compile_with_weights(const nlohmann::json& c, Subject& s) {
  s.model.compile(std::make_unique<SGD>(s.model.trainable_variables(), SGDOptions{.lr = 0.1}),
                  make_loss("sparse_categorical_crossentropy", true));
  s.model.build(s.data.sample_shape);
  std::vector<Variable> params = s.model.trainable_variables();
  ASSERT_EQ(params.size(), c["weights"].size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto values = c["weights"][i]["data"].get<std::vector<float>>();
    ASSERT_EQ(params[i].shape(), c["weights"][i]["shape"].get<Shape>());
    std::copy(values.begin(), values.end(), params[i].value().data());
  }
}

void load(const nlohmann::json& c, Subject& s) {
  read_data(c, s);
  s.model.add(Dense(
      c["units"][0].get<std::int64_t>(),
      {.activation = c["activation"].get<std::string>(), .input_shape = s.data.sample_shape}));
  s.model.add(Dense(c["units"][1].get<std::int64_t>()));
  compile_with_weights(c, s);
}

// Dense → BatchNormalization → tanh → Dense.
void load_batch_norm(const nlohmann::json& c, Subject& s, bool dropout = false) {
  read_data(c, s);
  s.model.add(Dense(c["units"][0].get<std::int64_t>(), {.input_shape = s.data.sample_shape}));
  s.model.add(BatchNormalization({.epsilon = c["epsilon"].get<double>()}));
  s.model.add(ActivationLayer("tanh"));
  if (dropout) s.model.add(Dropout(0.1));
  s.model.add(Dense(c["units"][1].get<std::int64_t>()));
  compile_with_weights(c, s);
}

double relative(double a, double b) {
  return std::abs(a - b) / std::abs(b);
}

TEST(SharpnessAgainstPyTorch, ExactLambdaMaxOfTanhAndReluNetworks) {
  const nlohmann::json fixture = test_fixtures::read("sharpness.json");
  ASSERT_EQ(fixture["cases"].size(), 2u);
  for (const nlohmann::json& c : fixture["cases"]) {
    SCOPED_TRACE(c["activation"].get<std::string>());
    Subject s;
    load(c, s);
    const double expected = c["top_eigenvalues"][0].get<double>();
    const SharpnessResult r =
        estimate_sharpness(s.model, s.data, {.max_iters = 500, .tol = 1e-10, .verbose = 0});
    EXPECT_LT(relative(r.lambda_max, expected), 1e-5) << r.lambda_max << " vs " << expected;
  }
}

// With batch statistics the Hessian is that of the loss training minimises: the one PyTorch
// differentiates through each batch's mean and variance, for one batch of all samples and for
// batches of 32. The running statistics give another function (and λmax), and stay as they were.
TEST(SharpnessAgainstPyTorch, BatchNormalizationOnBatchStatistics) {
  const nlohmann::json c = test_fixtures::read("sharpness.json")["batch_norm"];
  Subject s;
  load_batch_norm(c, s);
  const StateDict before = s.model.weights();
  const SharpnessResult whole = estimate_sharpness(
      s.model, s.data, {.max_iters = 500, .tol = 1e-10, .verbose = 0, .batch_statistics = true});
  EXPECT_LT(relative(whole.lambda_max, c["top_eigenvalues"][0].get<double>()), 1e-5)
      << whole.lambda_max;
  EXPECT_THAT(whole.method, ::testing::HasSubstr("BatchNormalization on the statistics of each "
                                                 "batch of 1024"));
  const SharpnessResult batches =
      estimate_sharpness(s.model, s.data,
                         {.batch_size = c["batch_size"].get<std::int64_t>(),
                          .max_iters = 500,
                          .tol = 1e-10,
                          .verbose = 0,
                          .batch_statistics = true});
  EXPECT_LT(relative(batches.lambda_max, c["top_eigenvalues_in_batches"][0].get<double>()), 1e-5)
      << batches.lambda_max;
  // Weights and running statistics untouched, bitwise.
  const StateDict after = s.model.weights();
  for (const auto& [name, tensor] : before.tensors)
    for (std::int64_t i = 0; i < tensor.size(); ++i)
      ASSERT_EQ(after.tensors.at(name)[i], tensor[i]) << name;

  const SharpnessResult running =
      estimate_sharpness(s.model, s.data, {.max_iters = 500, .tol = 1e-10, .verbose = 0});
  EXPECT_GT(relative(running.lambda_max, c["top_eigenvalues"][0].get<double>()), 0.01)
      << running.lambda_max;
}

// `train --track-sharpness` on a batch-normalized network measures the loss training minimises:
// each batch of the training size on its own statistics (PyTorch's λmax for batches of 32), and
// the running statistics only where dropout makes the training-mode loss random.
TEST(SharpnessAgainstPyTorch, TheTrackerMeasuresTheTrainingLossOfABatchNormNetwork) {
  const nlohmann::json c = test_fixtures::read("sharpness.json")["batch_norm"];
  const TrainParams params{.epochs = 1, .batch_size = c["batch_size"].get<std::int64_t>()};
  Subject s;
  load_batch_norm(c, s);
  SharpnessTracker tracker(s.data, 1, 500, 1e-10);
  tracker.on_train_begin(s.model, params);
  EXPECT_TRUE(tracker.batch_statistics());
  ASSERT_EQ(tracker.points().size(), 1u);
  EXPECT_LT(
      relative(tracker.points()[0].lambda_max, c["top_eigenvalues_in_batches"][0].get<double>()),
      1e-5)
      << tracker.points()[0].lambda_max;

  Subject with_dropout;
  load_batch_norm(c, with_dropout, true);
  SharpnessTracker running(with_dropout.data, 1, 30, 1e-3);
  running.on_train_begin(with_dropout.model, params);
  EXPECT_FALSE(running.batch_statistics());
  EXPECT_EQ(running.points().size(), 1u);
}

// In training mode dropout would draw a new mask at every product: refused, naming the layer.
TEST(SharpnessAgainstPyTorch, BatchStatisticsRefuseDropout) {
  const nlohmann::json c = test_fixtures::read("sharpness.json")["batch_norm"];
  Subject s;
  load_batch_norm(c, s, true);
  try {
    estimate_sharpness(s.model, s.data, {.verbose = 0, .batch_statistics = true});
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "sharpness: batch statistics need the training-mode forward, where layer "
                 "'dropout' draws random numbers; remove it or use the running statistics");
  }
}

TEST(SharpnessAgainstPyTorch, TopEigenvaluesByLanczos) {
  const nlohmann::json fixture = test_fixtures::read("sharpness.json");
  ASSERT_EQ(fixture["cases"].size(), 2u);
  for (const nlohmann::json& c : fixture["cases"]) {
    SCOPED_TRACE(c["activation"].get<std::string>());
    Subject s;
    load(c, s);
    const SharpnessResult r = estimate_sharpness(
        s.model, s.data, {.max_iters = 200, .top = 3, .tol = 1e-8, .verbose = 0});
    EXPECT_TRUE(r.converged);
    ASSERT_EQ(r.top.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_LT(relative(r.top[i], c["top_eigenvalues"][i].get<double>()), 1e-5)
          << i << ": " << r.top[i] << " vs " << c["top_eigenvalues"][i].get<double>();
    EXPECT_EQ(r.lambda_max, r.top[0]);
    EXPECT_EQ(r.to_json()["top_eigenvalues"].size(), 3u);
  }
}

// A finite-difference estimate of the same λmax is further off than the exact one (4e-6 against
// 3e-8 on this 300-sample set; the gap grows with the set, docs/sharpness.md), yet within its
// documented accuracy.
TEST(SharpnessAgainstPyTorch, FiniteDifferencesAreLessAccurate) {
  const nlohmann::json c = test_fixtures::read("sharpness.json")["cases"][0];
  Subject s;
  load(c, s);
  const double expected = c["top_eigenvalues"][0].get<double>();
  const SharpnessResult fd =
      estimate_sharpness(s.model, s.data,
                         {.max_iters = 500,
                          .tol = 1e-10,
                          .verbose = 0,
                          .curvature = SharpnessCurvature::finite_difference});
  const SharpnessResult exact =
      estimate_sharpness(s.model, s.data, {.max_iters = 500, .tol = 1e-10, .verbose = 0});
  EXPECT_LT(relative(fd.lambda_max, expected), 1e-3);
  EXPECT_GT(relative(fd.lambda_max, expected), 10 * relative(exact.lambda_max, expected));
}

TEST(Lanczos, FindsTheLargestEigenvaluesOfADiagonalOperator) {
  const std::vector<double> diagonal{5, -7, 3, 1, 4.5, 0, 2};
  const LanczosResult r = lanczos_top_eigenvalues(
      [&](std::span<const double> v, std::vector<double>& out) {
        out.resize(v.size());
        for (std::size_t i = 0; i < v.size(); ++i)
          out[i] = diagonal[i] * v[i];
      },
      7, 3, 7, 1e-10, {1, 1, 1, 1, 1, 1, 1});
  ASSERT_EQ(r.eigenvalues.size(), 3u);
  EXPECT_NEAR(r.eigenvalues[0], 5, 1e-9);  // the largest, not the largest in magnitude (−7)
  EXPECT_NEAR(r.eigenvalues[1], 4.5, 1e-9);
  EXPECT_NEAR(r.eigenvalues[2], 3, 1e-9);
  EXPECT_TRUE(r.converged);
}

TEST(Lanczos, RejectsMoreEigenvaluesThanProducts) {
  EXPECT_THROW(lanczos_top_eigenvalues([](std::span<const double>, std::vector<double>&) {}, 5, 4,
                                       3, 1e-6, {1, 1, 1, 1, 1}),
               InvalidArgument);
}

}  // namespace
}  // namespace descent
