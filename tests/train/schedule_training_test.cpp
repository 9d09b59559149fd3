// fit() with a schedule that cycles momentum, step by step against PyTorch
// (tests/fixtures/training.json, written by tools/fixtures/gen_training.py): the loss, η and
// momentum of every step and the final weights. Only ScheduleDriver carries the schedule's momentum
// into the optimizer, so these runs fail if it stops doing so.
#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "fixture_file.h"
#include "nn/dense.h"
#include "optim/adam.h"
#include "optim/schedule/cyclic_lr.h"
#include "optim/schedule/one_cycle_lr.h"
#include "optim/sgd.h"
#include "train/model.h"

namespace descent {
namespace {

using nlohmann::json;

// float32 training over 20 steps: PyTorch and descent round differently, so not bitwise.
constexpr double kTolerance = 1e-5;

const json& training_fixture() {
  static const json doc = test_fixtures::read("training.json");
  return doc;
}

Tensor training_tensor(const json& j) {
  const std::vector<float> data = j.at("data").get<std::vector<float>>();
  return Tensor(j.at("shape").get<Shape>(), std::span<const float>(data));
}

bool near_torch(double actual, double expected) {
  return std::abs(actual - expected) <= kTolerance * std::max(1.0, std::abs(expected));
}

// The momentum each step used: what ScheduleDriver wrote before that step.
class MomentumRecorder : public Callback {
 public:
  void on_step_end(Model& model, const StepRecord&) override {
    momenta.push_back(model.optimizer().momentum().value_or(std::nan("")));
  }
  std::vector<double> momenta;
};

std::unique_ptr<Optimizer> optimizer_for(const json& o, std::vector<Variable> params) {
  if (o.at("name") == "adam") {
    const auto betas = o.at("betas").get<std::vector<double>>();
    return std::make_unique<Adam>(std::move(params),
                                  AdamOptions{.lr = o.at("lr"), .betas = {betas[0], betas[1]}});
  }
  return std::make_unique<SGD>(std::move(params),
                               SGDOptions{.lr = o.at("lr"), .momentum = o.at("momentum")});
}

std::shared_ptr<Schedule> schedule_for(const json& s, double initial_lr) {
  if (s.at("name") == "CyclicLR")
    return std::make_shared<CyclicLR>(
        s.at("base_lr").get<double>(),
        CyclicLROptions{.max_lr = s.at("max_lr"),
                        .step_size_up = s.at("step_size_up"),
                        .step_size_down = s.at("step_size_down").get<std::int64_t>(),
                        .mode = parse_cyclic_lr_mode(s.at("mode").get<std::string>()),
                        .base_momentum = s.at("base_momentum"),
                        .max_momentum = s.at("max_momentum")});
  return std::make_shared<OneCycleLR>(
      initial_lr, OneCycleLROptions{
                      .max_lr = s.at("max_lr").get<double>(),
                      .total_steps = s.at("total_steps"),
                      .pct_start = s.at("pct_start"),
                      .anneal_strategy = parse_one_cycle_anneal(s.value("anneal_strategy", "cos")),
                      .base_momentum = s.at("base_momentum"),
                      .max_momentum = s.at("max_momentum"),
                      .div_factor = s.at("div_factor"),
                      .final_div_factor = s.at("final_div_factor"),
                      .three_phase = s.value("three_phase", false)});
}

void expect_run_matches_torch(const std::string& name) {
  SCOPED_TRACE(name);
  const json& doc = training_fixture();
  const json& run = doc.at("runs").at(name);
  const json& weights = doc.at("weights");

  Model model;
  Dense& hidden = model.add(Dense(5, {.activation = "tanh", .input_shape = {3}}));
  Dense& output = model.add(Dense(2));
  hidden.kernel().value() = training_tensor(weights.at("w1"));
  hidden.bias().value() = training_tensor(weights.at("b1"));
  output.kernel().value() = training_tensor(weights.at("w2"));
  output.bias().value() = training_tensor(weights.at("b2"));
  const json& o = run.at("optimizer");
  model.compile(optimizer_for(o, model.trainable_variables()), make_loss("mse"));

  auto recorder = std::make_shared<MomentumRecorder>();
  const History history = model.fit(training_tensor(doc.at("x")), training_tensor(doc.at("y")),
                                    {.epochs = doc.at("epochs"),
                                     .batch_size = doc.at("batch_size"),
                                     .shuffle = false,
                                     .callbacks = {recorder},
                                     .verbose = 0,
                                     .schedule = schedule_for(run.at("schedule"), o.at("lr"))});

  const json& steps = run.at("steps");
  ASSERT_EQ(history.steps.size(), steps.size());
  ASSERT_EQ(recorder->momenta.size(), steps.size());
  for (std::size_t t = 0; t < steps.size(); ++t) {
    const json& expected = steps[t];
    EXPECT_TRUE(near_torch(history.steps[t].lr, expected.at("lr"))) << "η at step " << t;
    EXPECT_TRUE(near_torch(recorder->momenta[t], expected.at("momentum")))
        << "momentum at step " << t;
    EXPECT_TRUE(near_torch(history.steps[t].loss, expected.at("loss")))
        << "loss at step " << t << ": " << history.steps[t].loss << " vs " << expected.at("loss");
  }
  const json& final_weights = run.at("final");
  for (const auto& [key, actual] : {std::pair{"w1", &hidden.kernel()},
                                    {"b1", &hidden.bias()},
                                    {"w2", &output.kernel()},
                                    {"b2", &output.bias()}}) {
    const Tensor expected = training_tensor(final_weights.at(key));
    ASSERT_EQ(actual->value().size(), expected.size()) << key;
    for (std::int64_t i = 0; i < expected.size(); ++i)
      EXPECT_TRUE(near_torch(actual->value()[i], expected[i]))
          << key << "[" << i << "] = " << actual->value()[i] << ", PyTorch " << expected[i];
  }
}

TEST(ScheduleTraining, OneCycleWithSgdMomentumMatchesTorch) {
  expect_run_matches_torch("one_cycle_sgd");
}

TEST(ScheduleTraining, OneCycleWithAdamBeta1MatchesTorch) {
  expect_run_matches_torch("one_cycle_adam");
}

TEST(ScheduleTraining, CyclicWithSgdMomentumMatchesTorch) {
  expect_run_matches_torch("cyclic_sgd");
}

// A schedule that ends before the run (OneCycleLR over 10 steps, a run of 12) is refused by fit()
// before the first step, naming both lengths, rather than failing at step 11 with the run half
// done. One step more than total_steps is what PyTorch accepts too (t may reach total_steps).
TEST(ScheduleTraining, AScheduleShorterThanTheRunIsRefusedBeforeTheFirstStep) {
  const auto fit_with_total_steps = [](std::int64_t total_steps) {
    Model model;
    model.add(Dense(1, {.input_shape = {1}}));
    model.compile(std::make_unique<SGD>(model.trainable_variables(), SGDOptions{.lr = 0.1}),
                  make_loss("mse"));
    const Tensor x({12, 1}, 1.0f), y({12, 1}, 0.5f);
    const auto schedule = std::make_shared<OneCycleLR>(
        0.1, OneCycleLROptions{.max_lr = 0.1, .total_steps = total_steps});
    return model.fit(x, y, {.epochs = 3, .batch_size = 3, .verbose = 0, .schedule = schedule});
  };
  try {
    fit_with_total_steps(10);
    FAIL() << "a 10-step OneCycleLR ran a 12-step run";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(),
                 "OneCycleLR ends at step 10 but the run has 12 scheduler steps: give it a length "
                 "of at least 11");
  }
  EXPECT_EQ(fit_with_total_steps(11).steps.size(), 12u);
}

}  // namespace
}  // namespace descent
