// fit() with Adam (Keras convention) and ExponentialDecay against the losses Keras itself reported
// in its TestFitLRSchedulesFlow.test_fit_lr_correctness (keras-team/keras
// keras/src/optimizers/schedules/learning_rate_schedule_test.py, transcribed into
// tests/fixtures/keras_golden.json): Dense(2) with kernel and bias all ones, mse,
// x = y = arange(32).reshape(16, 2), 3 epochs of 4 unshuffled batches.
#include <cmath>
#include <memory>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixture_file.h"
#include "nn/dense.h"
#include "optim/adam.h"
#include "optim/schedule/exponential_decay.h"
#include "train/model.h"

namespace descent {
namespace {

using nlohmann::json;

TEST(KerasGoldenFit, AdamWithExponentialDecayGivesKerasEpochLosses) {
  const json doc = test_fixtures::read("keras_golden.json");
  const json& c = doc.at("fit");
  const std::int64_t samples = c.at("samples"), units = c.at("units");
  Tensor x({samples, units});
  for (std::int64_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(i);

  Model model;
  const Initializer ones{Initializer::Kind::ones};
  model.add(
      Dense(units, {.kernel_initializer = ones, .bias_initializer = ones, .input_shape = {units}}));
  const json& s = c.at("schedule");
  AdamOptions adam = AdamOptions::keras();
  adam.lr = s.at("initial_learning_rate");
  model.compile<Adam>(adam, "mse");
  const History history =
      model.fit(x, x,
                {.epochs = c.at("epochs"),
                 .batch_size = c.at("batch_size"),
                 .shuffle = false,
                 .verbose = 0,
                 .schedule = std::make_shared<ExponentialDecay>(
                     adam.lr, ExponentialDecayOptions{.decay_steps = s.at("decay_steps"),
                                                      .decay_rate = s.at("decay_rate")})});

  const std::vector<double> expected = c.at("loss");
  const double rtol = c.at("rtol"), atol = c.at("atol");
  ASSERT_EQ(history.epochs.size(), expected.size());
  for (std::size_t e = 0; e < expected.size(); ++e) {
    const double loss = *history.epochs[e].get("loss");
    EXPECT_LE(std::abs(loss - expected[e]), atol + rtol * std::abs(expected[e]))
        << "epoch " << e + 1 << ": " << loss << ", Keras " << expected[e];
  }
}

}  // namespace
}  // namespace descent
