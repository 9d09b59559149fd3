// The Keras-convention optimizers against the numbers in Keras's own tests
// (tests/fixtures/keras_golden.json, transcribed by tools/fixtures/gen_keras_golden.py from
// keras-team/keras keras/src/optimizers/*_test.py): test_correctness_with_golden (five checked
// steps after a first one), test_single_step, test_weight_decay and (optimizer_test.py) clipnorm
// and clipvalue, each at the tolerance Keras asserts and, where the fixture says so, within the
// rounding of Keras's 4 printed decimals (tighter: it tells ε inside the root from ε outside for
// RMSprop). The optimizers run in float32, as Keras's variables do.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixture_file.h"
#include "optim/make_optimizer.h"

namespace descent {
namespace {

using nlohmann::json;

const json& keras_optimizer_cases() {
  static const json cases = test_fixtures::read("keras_golden.json").at("optimizers");
  return cases;
}

// Keras's argument names as make_optimizer()'s keys, with Keras's conventions and defaults.
json descent_hyperparameters(const std::string& optimizer, const json& keras) {
  json h = {{"convention", "keras"}};
  for (const auto& [key, value] : keras.items()) {
    if (key == "learning_rate")
      h["lr"] = value;
    else if (key == "epsilon")
      h["eps"] = value;
    else if (key == "rho" && optimizer == "rmsprop")
      h["alpha"] = value;
    else if (key == "beta_1")
      h["betas"] = {value, keras.at("beta_2")};
    else if (key != "beta_2")
      h[key] = value;
  }
  // Keras's golden SGD is SGD(nesterov=True) with its default momentum 0: accepted under the
  // Keras convention, as Keras accepts it.
  return h;
}

void expect_keras_close(const std::vector<float>& x, const json& expected, const json& c,
                        const std::string& when) {
  const double rtol = c.at("rtol"), atol = c.at("atol");
  // Where Keras printed the value rounded to 4 decimals: within half a unit of the last one.
  const double rounding_atol = c.value("rounding_atol", atol);
  ASSERT_EQ(x.size(), expected.size()) << when;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double e = expected[i];
    EXPECT_LE(std::abs(x[i] - e), atol + rtol * std::abs(e))
        << when << ", element " << i << ": " << x[i] << ", Keras " << e;
    EXPECT_LE(std::abs(x[i] - e), rounding_atol)
        << when << ", element " << i << ": " << x[i] << ", Keras (4 decimals) " << e;
  }
}

void expect_matches_keras(const json& c) {
  const std::string name = c.at("optimizer"), test = c.at("test");
  SCOPED_TRACE(name + " " + test + " (" + c.at("source").get<std::string>() + ")");
  const json hyper = descent_hyperparameters(name, c.at("hyperparameters"));
  std::vector<float> x = c.at("x0");
  const auto step = [&](BasicOptimizer<float>& optimizer, const json& grads) {
    std::vector<float> g = grads;
    optimizer.step(std::span<float>(x), std::span<float>(g));
  };
  const json& expected = c.at("expected");
  if (test == "test_weight_decay") {  // a fresh optimizer for each step, on the same variable
    for (int i = 0; i < c.at("fresh_optimizers").get<int>(); ++i)
      step(*make_basic_optimizer<float>(name, hyper), c.at("grads"));
    expect_keras_close(x, expected[0], c, "after the steps");
    return;
  }
  const auto optimizer = make_basic_optimizer<float>(name, hyper);
  if (test != "test_correctness_with_golden") {  // one step
    step(*optimizer, c.at("grads"));
    expect_keras_close(x, expected[0], c, "after one step");
    return;
  }
  step(*optimizer, c.at("first_grads"));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    expect_keras_close(x, expected[i], c, "check " + std::to_string(i));
    step(*optimizer, c.at("grads"));
  }
}

// Runs every case of Keras's test `test`; returns how many there were.
int expect_cases_match_keras(const std::string& test) {
  int cases = 0;
  for (const json& c : keras_optimizer_cases())
    if (c.at("test") == test) {
      expect_matches_keras(c);
      ++cases;
    }
  return cases;
}

// sgd, adam, adamw, adadelta, adagrad, adamax, nadam, rmsprop, lion.
constexpr int kKerasOptimizers = 9;

TEST(KerasGolden, EveryOptimizerMatchesKerasGoldenValues) {
  EXPECT_EQ(expect_cases_match_keras("test_correctness_with_golden"), kKerasOptimizers);
}

TEST(KerasGolden, EveryOptimizerMatchesKerasSingleStep) {
  EXPECT_EQ(expect_cases_match_keras("test_single_step"), kKerasOptimizers);
}

TEST(KerasGolden, EveryOptimizerDecaysWeightsAsKeras) {
  EXPECT_EQ(expect_cases_match_keras("test_weight_decay"), kKerasOptimizers);
}

TEST(KerasGolden, ClippingMatchesKeras) {
  EXPECT_EQ(expect_cases_match_keras("test_clip_norm"), 1);
  EXPECT_EQ(expect_cases_match_keras("test_clip_value"), 1);
}

}  // namespace
}  // namespace descent
