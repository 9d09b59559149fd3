// make_optimizer / make_basic_optimizer: names, hyperparameter keys, errors, config round trip.
#include "optim/make_optimizer.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::vector<Variable> params() {
  return {Variable(Tensor({2}, {1, 2}), true)};
}

std::string optimizer_error(std::string_view name, const json& hp) {
  try {
    make_optimizer(name, params(), hp);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no InvalidArgument";
}

TEST(MakeOptimizer, BuildsEveryKnownName) {
  ASSERT_EQ(optimizer_names().size(), 15u);
  for (std::string_view name : optimizer_names()) {
    auto optimizer = make_optimizer(name, params(), json::object());
    EXPECT_EQ(optimizer->name(), name);
    EXPECT_EQ(make_basic_optimizer<double>(name, json())->name(), name);
  }
}

TEST(MakeOptimizer, ConfigRebuildsTheSameOptimizer) {
  const std::vector<std::pair<std::string, json>> cases = {
      {"sgd", {{"lr", 0.2}, {"momentum", 0.9}, {"nesterov", true}, {"clipnorm", 1.0}}},
      {"adagrad", {{"lr_decay", 0.1}, {"convention", "keras"}}},
      {"adadelta", {{"rho", 0.5}, {"clipvalue", 0.1}}},
      {"rmsprop", {{"centered", true}, {"momentum", 0.2}, {"global_clipnorm", 5}}},
      {"adam", {{"betas", {0.5, 0.6}}, {"amsgrad", true}}},
      {"adamw", {{"weight_decay", 0.3}}},
      {"adamax", {{"eps", 0.1}}},
      {"nadam", {{"momentum_decay", 0.01}}},
      {"lion", {{"betas", {0.8, 0.9}}}},
      {"dog", {{"reps_rel", 1e-4}, {"weight_decay", 0.01}}},
      {"prodigy", {{"d_coef", 0.5}, {"growth_rate", 1.02}, {"beta3", 0.99}}},
      {"dadapt_sgd", {{"momentum", 0.9}, {"d0", 1e-4}}},
      {"dadapt_adam", {{"decouple", true}, {"growth_rate", 1.05}}},
      {"sgd_schedule_free", {{"momentum", 0.8}, {"warmup_steps", 10}}},
      {"adamw_schedule_free", {{"betas", {0.95, 0.99}}, {"r", 0.5}, {"weight_lr_power", 1.0}}},
  };
  for (const auto& [name, hp] : cases) {
    SCOPED_TRACE(name);
    auto first = make_optimizer(name, params(), hp);
    for (const auto& [key, value] : hp.items())
      EXPECT_EQ(first->config()[key], value) << key;
    auto second = make_optimizer(name, params(), first->config());
    EXPECT_EQ(second->config(), first->config());
  }
}

TEST(MakeOptimizer, KerasConventionStartsFromKerasDefaults) {
  auto adam = make_optimizer("adam", params(), {{"convention", "keras"}});
  EXPECT_EQ(adam->config()["eps"], 1e-7);
  EXPECT_EQ(adam->config()["convention"], "keras");
  auto adamw = make_optimizer("adamw", params(), {{"convention", "keras"}, {"lr", 0.01}});
  EXPECT_EQ(adamw->config()["weight_decay"], 0.004);
  EXPECT_EQ(adamw->lr(), 0.01);
  EXPECT_EQ(make_optimizer("adadelta", params(), {{"convention", "keras"}})->lr(), 1e-3);
  EXPECT_EQ(make_optimizer("lion", params(), {{"convention", "keras"}})->lr(), 1e-3);
  EXPECT_EQ(
      make_optimizer("nadam", params(), {{"convention", "keras"}})->config()["momentum_decay"],
      1.0);
}

TEST(MakeOptimizer, UnknownNameListsTheKnownOnes) {
  const std::string message = optimizer_error("adamm", json::object());
  EXPECT_THAT(message, HasSubstr("unknown optimizer 'adamm'"));
  EXPECT_THAT(message, HasSubstr("sgd, adagrad, adadelta, rmsprop, adam, adamw, adamax, nadam, "
                                 "lion, dog, prodigy, dadapt_sgd, dadapt_adam, sgd_schedule_free, "
                                 "adamw_schedule_free"));
}

TEST(MakeOptimizer, RejectsUnknownKeysAndBadValues) {
  EXPECT_THAT(optimizer_error("adam", {{"beta1", 0.9}}),
              HasSubstr("unknown hyperparameter 'beta1'"));
  EXPECT_THAT(optimizer_error("sgd", {{"betas", {0.9, 0.9}}}),
              HasSubstr("unknown hyperparameter 'betas'"));
  EXPECT_THAT(optimizer_error("lion", {{"eps", 1e-8}}), HasSubstr("unknown hyperparameter 'eps'"));
  EXPECT_THAT(optimizer_error("adam", {{"lr", "fast"}}),
              HasSubstr("hyperparameter 'lr' must be a number, got \"fast\""));
  EXPECT_THAT(optimizer_error("adam", {{"betas", {0.9}}}), HasSubstr("an array of two numbers"));
  EXPECT_THAT(optimizer_error("sgd", {{"nesterov", 1}}), HasSubstr("true or false"));
  EXPECT_THAT(optimizer_error("adam", {{"convention", "tf"}}),
              HasSubstr("\"pytorch\" or \"keras\""));
  EXPECT_THAT(optimizer_error("adam", {{"lr", -1}}),
              HasSubstr("learning rate must be finite and > 0, got -1"));
  EXPECT_THAT(optimizer_error("adam", json::array({1, 2})), HasSubstr("must be a JSON object"));
}

}  // namespace
}  // namespace descent
