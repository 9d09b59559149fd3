#include "nn/batch_normalization.h"

#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "gradcheck.h"
#include "layer_fixture.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/flatten.h"
#include "nn/layer_config.h"
#include "nn/sequential.h"

namespace descent {
namespace {

using testing::expect_float64_gradients;
using testing::expect_near_fixture;
using testing::fixture_tensor;
using ::testing::HasSubstr;
using testing::layer_case;

// The layer at a fixture case's momentum and epsilon, built for its inputs, with its gamma and
// beta.
BatchNormalization torch_batch_norm(const nlohmann::json& c) {
  BatchNormalization layer(
      {.momentum = c.at("momentum").get<double>(), .epsilon = c.at("epsilon").get<double>()});
  layer.set_name("batch_normalization");
  const Shape shape = fixture_tensor(c.at("train").at(0).at("x")).shape();
  Rng rng(1);
  const Shape inner(shape.begin() + 1, shape.end());
  EXPECT_EQ(layer.build(inner, rng), inner);
  layer.gamma() = Variable(fixture_tensor(c.at("gamma")), true);
  layer.beta() = Variable(fixture_tensor(c.at("beta")), true);
  return layer;
}

// One forward and backward against the fixture's output and gradients of sum(output · weight).
void expect_batch_norm_step_matches(BatchNormalization& layer, const nlohmann::json& step,
                                    bool training) {
  layer.gamma().zero_grad();
  layer.beta().zero_grad();
  Variable x(fixture_tensor(step.at("x")), true);
  Variable y = layer.forward(x, training);
  expect_near_fixture(y.value(), step.at("output"), 1e-5, "output");
  y.backward(fixture_tensor(step.at("weight")));
  expect_near_fixture(x.grad(), step.at("grad_x"), 1e-5, "gradient of x");
  expect_near_fixture(layer.gamma().grad(), step.at("grad_gamma"), 1e-5, "gradient of gamma");
  expect_near_fixture(layer.beta().grad(), step.at("grad_beta"), 1e-5, "gradient of beta");
}

// Training steps (output, gradients, running statistics after each), then inference with the
// running statistics those steps left.
void expect_batch_norm_matches_torch(const std::string& name) {
  SCOPED_TRACE(name);
  const nlohmann::json& c = layer_case(name);
  BatchNormalization layer = torch_batch_norm(c);
  for (const nlohmann::json& step : c.at("train")) {
    expect_batch_norm_step_matches(layer, step, true);
    expect_near_fixture(layer.moving_mean().value(), step.at("running_mean"), 1e-5, "running mean");
    expect_near_fixture(layer.moving_variance().value(), step.at("running_var"), 1e-5,
                        "running variance");
  }
  expect_batch_norm_step_matches(layer, c.at("inference"), false);
}

TEST(BatchNormalization, MatchesTorchBatchNorm1dWithBothMomentumConventions) {
  expect_batch_norm_matches_torch("batch_norm_dense_torch");  // PyTorch's momentum 0.1: 0.9 here
  expect_batch_norm_matches_torch("batch_norm_dense_keras");  // Keras's 0.99 (PyTorch's 0.01)
}

TEST(BatchNormalization, MatchesTorchBatchNorm2dWithBothMomentumConventions) {
  expect_batch_norm_matches_torch("batch_norm_conv_torch");
  expect_batch_norm_matches_torch("batch_norm_conv_keras");
}

// Central differences in float64 (eps 1e-6, atol 1e-5, rtol 1e-3: torch.autograd.gradcheck's) of
// sum(y · w) for the input, gamma and beta, in both modes, on dense and image batches.
void expect_batch_norm_float64_gradients_match(const Shape& shape, bool training) {
  SCOPED_TRACE(::testing::Message()
               << shape_string(shape) << (training ? " training" : " inference"));
  Rng rng(11);
  BatchNormalization layer({.momentum = 0.5, .epsilon = 1e-3});
  layer.build(Shape(shape.begin() + 1, shape.end()), rng);
  const std::int64_t channels = shape[1];
  for (std::int64_t c = 0; c < channels; ++c) {  // inference reads these
    layer.moving_mean().value()[c] = static_cast<float>(rng.uniform(-1.0, 1.0));
    layer.moving_variance().value()[c] = static_cast<float>(rng.uniform(0.5, 2.0));
  }
  Tensor x64(shape, DType::f64), gamma64({channels}, DType::f64), beta64({channels}, DType::f64),
      w(shape, DType::f64);
  for (Tensor* t : {&x64, &gamma64, &beta64, &w})
    for (std::int64_t i = 0; i < t->size(); ++i)
      t->data<double>()[i] = rng.uniform(-1.0, 1.0);
  std::vector<Variable> inputs{Variable(x64, true), Variable(gamma64, true),
                               Variable(beta64, true)};
  const auto loss = [&]() {
    layer.gamma() = inputs[1];
    layer.beta() = inputs[2];
    return sum(mul(layer.forward(inputs[0], training), Variable(w)));
  };
  expect_float64_gradients(loss, inputs);
}

TEST(BatchNormalization, Float64GradientsMatchCentralDifferences) {
  for (const bool training : {true, false}) {
    expect_batch_norm_float64_gradients_match({5, 3}, training);
    expect_batch_norm_float64_gradients_match({2, 3, 2, 3}, training);
  }
}

// Second derivatives come from the graph ops: the exact Hessian-vector product in the input and
// gamma equals central differences of the gradient (float64, training mode, an image batch).
TEST(BatchNormalization, HessianVectorProductsMatchDifferencesOfGradients) {
  Rng rng(5);
  BatchNormalization layer({.epsilon = 1e-3});
  layer.build({2, 2, 2}, rng);
  const auto random = [&](const Shape& shape) {
    Tensor t(shape, DType::f64);
    for (std::int64_t i = 0; i < t.size(); ++i)
      t.data<double>()[i] = rng.uniform(-1.0, 1.0);
    return t;
  };
  const Tensor w = random({3, 2, 2, 2});
  std::vector<Variable> params{Variable(random({3, 2, 2, 2}), true), Variable(random({2}), true)};
  layer.beta() = Variable(random({2}), true);
  const std::vector<Tensor> v{random({3, 2, 2, 2}), random({2})};
  const auto loss = [&] {
    layer.gamma() = params[1];
    return sum(mul(square(layer.forward(params[0], true)), Variable(w)));
  };
  const std::vector<Tensor> hv = hvp(loss(), params, v);
  constexpr double eps = 1e-6;
  const auto gradient_at = [&](double step) {
    for (std::size_t k = 0; k < params.size(); ++k)
      for (std::int64_t i = 0; i < v[k].size(); ++i)
        params[k].value().data<double>()[i] += step * v[k].at(i);
    std::vector<Tensor> out;
    for (const Variable& g : grad(loss(), params))
      out.push_back(g.value());
    for (std::size_t k = 0; k < params.size(); ++k)
      for (std::int64_t i = 0; i < v[k].size(); ++i)
        params[k].value().data<double>()[i] -= step * v[k].at(i);
    return out;
  };
  const std::vector<Tensor> plus = gradient_at(eps), minus = gradient_at(-eps);
  for (std::size_t k = 0; k < params.size(); ++k)
    for (std::int64_t i = 0; i < v[k].size(); ++i) {
      const double numeric = (plus[k].at(i) - minus[k].at(i)) / (2 * eps);
      EXPECT_NEAR(hv[k].at(i), numeric, 1e-5 + 1e-3 * std::abs(numeric))
          << "parameter " << k << " element " << i;
    }
}

TEST(BatchNormalization, RunningStatisticsTakeTheUnbiasedVarianceAtKerasMomentum) {
  Rng rng(1);
  BatchNormalization layer({.momentum = 0.9});
  layer.build({1}, rng);
  // The batch (1, 3): mean 2, biased variance 1, unbiased 2.
  layer.forward(Variable(Tensor({2, 1}, {1, 3})), true);
  EXPECT_FLOAT_EQ(layer.moving_mean().value()[0], 0.9f * 0.0f + 0.1f * 2.0f);
  EXPECT_FLOAT_EQ(layer.moving_variance().value()[0], 0.9f * 1.0f + 0.1f * 2.0f);

  BatchNormalization frozen({.momentum = 1.0}), follows({.momentum = 0.0});
  frozen.build({1}, rng);
  follows.build({1}, rng);
  for (BatchNormalization* l : {&frozen, &follows})
    l->forward(Variable(Tensor({4, 1}, {1, 2, 3, 6})), true);  // mean 3, unbiased variance 14/3
  EXPECT_EQ(frozen.moving_mean().value()[0], 0.0f);
  EXPECT_EQ(frozen.moving_variance().value()[0], 1.0f);
  EXPECT_FLOAT_EQ(follows.moving_mean().value()[0], 3.0f);
  EXPECT_FLOAT_EQ(follows.moving_variance().value()[0], 14.0f / 3.0f);
}

TEST(BatchNormalization, InferenceUsesTheRunningStatisticsAndLeavesThemAlone) {
  Rng rng(1);
  BatchNormalization layer({.epsilon = 1e-3});
  layer.build({2, 1, 2}, rng);
  layer.moving_mean().value() = Tensor({2}, {1.0f, -2.0f});
  layer.moving_variance().value() = Tensor({2}, {4.0f, 0.25f});
  layer.gamma().value() = Tensor({2}, {2.0f, 3.0f});
  layer.beta().value() = Tensor({2}, {0.5f, -0.5f});
  // Each channel's own mean and variance are far from the running ones.
  const Tensor x({2, 2, 1, 2}, {10, 12, 5, 7, 11, 13, 6, 8});
  const Variable y = layer.forward(Variable(x), false);
  const float mean[2] = {1.0f, -2.0f}, var[2] = {4.0f, 0.25f}, gamma[2] = {2, 3},
              beta[2] = {0.5f, -0.5f};
  for (std::int64_t i = 0; i < x.size(); ++i) {
    const int c = static_cast<int>((i / 2) % 2);
    const double expected = (x[i] - mean[c]) / std::sqrt(var[c] + 1e-3) * gamma[c] + beta[c];
    EXPECT_NEAR(y.value()[i], expected, 1e-5 * std::abs(expected)) << "element " << i;
  }
  EXPECT_EQ(layer.moving_mean().value()[1], -2.0f);
  EXPECT_EQ(layer.moving_variance().value()[0], 4.0f);
  // Training normalizes with the batch's own statistics: the same input gives another output.
  EXPECT_GT(std::abs(layer.forward(Variable(x), true).value()[0] - y.value()[0]), 1.0f);
}

TEST(BatchNormalization, ANonFiniteBatchLeavesTheRunningStatistics) {
  Rng rng(1);
  BatchNormalization layer;
  layer.build({2}, rng);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  layer.forward(Variable(Tensor({2, 2}, {1, nan, 3, 4})), true);
  EXPECT_EQ(layer.moving_mean().value()[0], 0.0f);
  EXPECT_EQ(layer.moving_variance().value()[0], 1.0f);
  EXPECT_EQ(layer.moving_mean().value()[1], 0.0f);
}

TEST(BatchNormalization, ParametersBuffersPlanAndOptions) {
  BatchNormalization layer;
  layer.set_name("bn");
  Rng rng(1);
  EXPECT_EQ(layer.plan({8, 5, 5}).weights, 16.0);
  EXPECT_TRUE(layer.buffers().empty());
  layer.build({8, 5, 5}, rng);
  const auto params = layer.parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "bn/gamma");
  EXPECT_EQ(params[1].name, "bn/beta");
  EXPECT_EQ(params[0].variable.value().at(7), 1.0);
  EXPECT_EQ(params[1].variable.value().at(7), 0.0);
  const auto buffers = layer.buffers();
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_EQ(buffers[0].name, "bn/moving_mean");
  EXPECT_EQ(buffers[1].name, "bn/moving_variance");
  EXPECT_EQ(buffers[0].variable.value().shape(), Shape{8});
  EXPECT_EQ(buffers[0].variable.value().at(7), 0.0);
  EXPECT_EQ(buffers[1].variable.value().at(7), 1.0);
  EXPECT_FALSE(buffers[0].variable.requires_grad());
  EXPECT_EQ(layer.config().at("momentum").get<double>(), 0.99);
  EXPECT_EQ(layer.config().at("epsilon").get<double>(), 1e-3);

  BatchNormalization bare({.center = false, .scale = false});
  EXPECT_EQ(bare.plan({3}).weights, 0.0);
  bare.build({1}, rng);
  EXPECT_TRUE(bare.parameters().empty());
  EXPECT_EQ(bare.buffers().size(), 2u);
  // Without gamma and beta the batch (1, 2, 3) in a channel becomes ±√(3/2)·1/√(1 + 3ε/2) and 0.
  const Variable y = bare.forward(Variable(Tensor({3, 1}, {1, 2, 3})), true);
  EXPECT_EQ(y.shape(), (Shape{3, 1}));
  EXPECT_NEAR(y.value()[0], -1.0 / std::sqrt(2.0 / 3.0 + 1e-3), 1e-6);
  EXPECT_NEAR(y.value()[1], 0.0, 1e-6);

  EXPECT_THROW(layer.plan({4, 5}), InvalidArgument);
  EXPECT_THROW(layer.plan({}), InvalidArgument);
}

std::string options_rejection(const BatchNormalizationOptions& options) {
  try {
    BatchNormalization layer(options);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(BatchNormalization, BadOptionsAreRejectedWithOneLine) {
  EXPECT_THAT(options_rejection({.epsilon = -1e-3}),
              ::testing::AllOf(HasSubstr("epsilon must be > 0, got -0.001"),
                               ::testing::Not(HasSubstr("\n"))));
  EXPECT_THAT(options_rejection({.epsilon = 0}), HasSubstr("epsilon must be > 0"));
  EXPECT_THAT(options_rejection({.momentum = 1.5}),
              ::testing::AllOf(HasSubstr("momentum must be in [0, 1]"), HasSubstr("got 1.5"),
                               ::testing::Not(HasSubstr("\n"))));
  EXPECT_THAT(options_rejection({.momentum = -0.1}), HasSubstr("momentum must be in [0, 1]"));
  EXPECT_THAT(options_rejection({.momentum = std::nan("")}),
              HasSubstr("momentum must be in [0, 1]"));
  EXPECT_EQ(options_rejection({.momentum = 0.0}), "accepted");
  EXPECT_EQ(options_rejection({.momentum = 1.0}), "accepted");

  // The model file reaches the same checks.
  try {
    layer_from_config({{"type", "BatchNormalization"}, {"momentum", 2}});
    ADD_FAILURE() << "momentum 2 accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("momentum must be in [0, 1]"));
  }
  EXPECT_THROW(layer_from_config({{"type", "BatchNormalization"}, {"epsilon", -1}}),
               InvalidArgument);
}

TEST(BatchNormalization, TrainingOnOneValuePerChannelIsRefused) {
  Rng rng(1);
  BatchNormalization layer;
  layer.set_name("batch_normalization");
  layer.build({3}, rng);
  try {
    layer.forward(Variable(Tensor({1, 3}, {1, 2, 3})), true);
    ADD_FAILURE() << "a batch of one trained";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("batch_normalization: training needs more than one value per "
                                    "channel, got a batch of shape (1, 3)"));
  }
  EXPECT_EQ(layer.forward(Variable(Tensor({1, 3}, {1, 2, 3})), false).shape(), (Shape{1, 3}));
}

// The sequential model saves the running statistics beside the weights and counts them apart.
Sequential bn_model() {
  Sequential model(3);
  model.add(Dense(4, {.input_shape = {3}}));
  model.add(BatchNormalization({.momentum = 0.5}));
  model.add(Dense(2));
  return model;
}

TEST(BatchNormalization, SequentialSavesAndRestoresTheRunningStatistics) {
  Sequential trained = bn_model();
  const Tensor x({4, 3}, {1, 2, 3, -1, 0.5f, 2, 0, 0, 1, 3, -2, 0.5f});
  trained.forward(Variable(x), true);  // moves the running statistics
  const StateDict weights = trained.weights();
  ASSERT_TRUE(weights.tensors.contains("batch_normalization/moving_mean"));
  ASSERT_TRUE(weights.tensors.contains("batch_normalization/moving_variance"));
  EXPECT_EQ(weights.tensors.size(), 8u);  // 2 dense × 2, gamma, beta, 2 statistics
  EXPECT_NE(weights.tensors.at("batch_normalization/moving_variance")[0], 1.0f);

  Sequential fresh = bn_model();
  const Tensor before = fresh.forward(Variable(x), false).value();
  fresh.set_weights(weights);
  const Tensor after = fresh.forward(Variable(x), false).value();
  const Tensor expected = trained.forward(Variable(x), false).value();
  for (std::int64_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(after[i], expected[i]) << "element " << i;
  EXPECT_NE(before[0], expected[0]);  // the statistics, not the shared seed, make them equal

  // Never trainable: the optimizer's list and the penalties leave them out.
  EXPECT_EQ(trained.trainable_variables().size(), 6u);
  for (const Parameter& p : trained.parameters())
    EXPECT_EQ(p.name.find("moving"), std::string::npos) << p.name;

  StateDict missing = weights;
  missing.tensors.erase("batch_normalization/moving_mean");
  EXPECT_THROW(fresh.set_weights(missing), InvalidArgument);
}

TEST(BatchNormalization, SummaryCountsTrainableAndNonTrainableParameters) {
  Sequential cnn(3);
  cnn.add(Conv2D(4, 3, {.input_shape = {1, 5, 5}}));
  cnn.add(BatchNormalization());
  cnn.add(Flatten());
  cnn.add(Dense(2));
  EXPECT_EQ(cnn.count_trainable_params(), (4 * 9 + 4) + 2 * 4 + (4 * 3 * 3 * 2 + 2));
  EXPECT_EQ(cnn.count_non_trainable_params(), 2 * 4);
  EXPECT_EQ(cnn.count_params(), 130);
  const std::string summary = cnn.summary();
  EXPECT_THAT(summary, HasSubstr("Total params: 130\n"));
  EXPECT_THAT(summary, HasSubstr("Trainable params: 122\n"));
  EXPECT_THAT(summary, HasSubstr("Non-trainable params: 8\n"));
  // Keras's row for the layer counts its four vectors.
  const std::size_t row = summary.find("batch_normalization (BatchNormalization)");
  ASSERT_NE(row, std::string::npos) << summary;
  EXPECT_THAT(summary.substr(row, summary.find('\n', row) - row), HasSubstr("(None, 4, 3, 3)"));
  EXPECT_THAT(summary.substr(row, summary.find('\n', row) - row), HasSubstr(" 16"));
}

}  // namespace
}  // namespace descent
