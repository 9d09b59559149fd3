// Every optimizer's and every schedule's config() goes back through the one options reader
// (core/options_reader.h) to an equal config, with every declared field written out.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "optim/make_optimizer.h"
#include "optim/schedule/make_schedule.h"

namespace descent {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

// Hyperparameters away from the defaults, where a rule has them.
json unusual_hyperparameters(std::string_view name) {
  const json common = {{"lr", 0.03}, {"weight_decay", 0.02}, {"clipvalue", 2.0}};
  json h = common;
  if (name == "sgd") h.update({{"momentum", 0.5}, {"nesterov", true}});
  if (name == "adagrad") h.update({{"lr_decay", 0.1}, {"initial_accumulator_value", 0.2}});
  if (name == "adadelta") h.update({{"rho", 0.7}, {"eps", 1e-5}});
  if (name == "rmsprop") h.update({{"alpha", 0.8}, {"momentum", 0.1}, {"centered", true}});
  if (name == "adam" || name == "adamw") h.update({{"betas", {0.5, 0.6}}, {"amsgrad", true}});
  if (name == "adamax") h.update({{"betas", {0.5, 0.6}}, {"eps", 1e-3}});
  if (name == "nadam") h.update({{"betas", {0.5, 0.6}}, {"momentum_decay", 0.01}});
  if (name == "lion") h.update({{"betas", {0.5, 0.6}}, {"clipnorm", 1.0}});
  if (name == "dog") h.update({{"reps_rel", 1e-4}, {"eps", 1e-6}, {"init_eta", 0.01}});
  if (name == "prodigy")
    h.update({{"betas", {0.5, 0.6}},
              {"beta3", 0.7},
              {"decouple", false},
              {"use_bias_correction", true},
              {"safeguard_warmup", true},
              {"d0", 1e-5},
              {"d_coef", 0.5},
              {"growth_rate", 1.02}});
  if (name == "dadapt_sgd") h.update({{"momentum", 0.5}, {"d0", 1e-5}, {"growth_rate", 1.02}});
  if (name == "dadapt_adam")
    h.update({{"betas", {0.5, 0.6}},
              {"decouple", true},
              {"use_bias_correction", true},
              {"d0", 1e-5},
              {"growth_rate", 1.02}});
  if (name == "sgd_schedule_free")
    h.update({{"momentum", 0.5}, {"warmup_steps", 7}, {"r", 1.0}, {"weight_lr_power", 1.5}});
  if (name == "adamw_schedule_free")
    h.update({{"betas", {0.5, 0.6}},
              {"eps", 1e-6},
              {"warmup_steps", 7},
              {"r", 1.0},
              {"weight_lr_power", 1.5}});
  return h;
}

TEST(ConfigRoundTrip, EveryOptimizerRebuildsAnEqualConfig) {
  for (std::string_view name : optimizer_names()) {
    for (const char* convention : {"pytorch", "keras"}) {
      SCOPED_TRACE(std::string(name) + " " + convention);
      json hyperparameters = unusual_hyperparameters(name);
      hyperparameters["convention"] = convention;
      const json config = make_basic_optimizer<double>(name, hyperparameters)->config();
      for (const auto& [key, value] : hyperparameters.items()) {
        // Lion takes "convention" for Keras's defaults only, the learning-rate-free rules (which
        // Keras lacks) for nothing: none keeps such a field.
        if (key == "convention" && !config.contains("convention")) continue;
        EXPECT_EQ(config.at(key), value) << key;
      }
      EXPECT_EQ(make_basic_optimizer<double>(name, config)->config(), config);
    }
  }
}

TEST(ConfigRoundTrip, OptimizerKeysAreTheDeclaredFields) {
  EXPECT_THAT(optimizer_hyperparameter_names("sgd"),
              ElementsAre("lr", "momentum", "dampening", "weight_decay", "nesterov", "convention",
                          "clipnorm", "clipvalue", "global_clipnorm", "decay_all"));
  EXPECT_THAT(optimizer_hyperparameter_names("lion"),
              ElementsAre("convention", "lr", "betas", "weight_decay", "clipnorm", "clipvalue",
                          "global_clipnorm", "decay_all"));
  // decay_all is for rules that can decouple their weight decay; DoG's is always L2.
  EXPECT_THAT(optimizer_hyperparameter_names("dog"), Not(Contains("decay_all")));
  for (std::string_view name : optimizer_names()) {
    SCOPED_TRACE(std::string(name));
    const auto keys = optimizer_hyperparameter_names(name);
    const json config = make_basic_optimizer<double>(name, {})->config();
    for (const auto& [key, value] : config.items())
      EXPECT_THAT(keys, Contains(key));
  }
  EXPECT_THROW(optimizer_hyperparameter_names("adamm"), InvalidArgument);
}

TEST(ConfigRoundTrip, EverySchedulesConfigRebuildsAnEqualConfig) {
  const json unusual = {
      {"Constant", json::object()},
      {"StepLR", {{"step_size", 3}, {"gamma", 0.5}}},
      {"MultiStepLR", {{"milestones", {2, 5}}, {"gamma", 0.5}}},
      {"ConstantLR", {{"factor", 0.5}, {"total_iters", 7}}},
      {"LinearLR", {{"start_factor", 0.5}, {"end_factor", 0.9}, {"total_iters", 7}}},
      {"ExponentialLR", {{"gamma", 0.9}}},
      {"PolynomialLR", {{"total_iters", 7}, {"power", 2.0}}},
      {"CosineAnnealingLR", {{"T_max", 10}, {"eta_min", 0.01}}},
      {"CosineAnnealingWarmRestarts", {{"T_0", 10}, {"T_mult", 2}, {"eta_min", 0.01}}},
      {"CyclicLR",
       {{"max_lr", 1.0},
        {"step_size_up", 4},
        {"mode", "exp_range"},
        {"gamma", 0.9},
        {"cycle_momentum", false},
        {"base_momentum", 0.7},
        {"max_momentum", 0.8}}},
      {"OneCycleLR",
       {{"total_steps", 100},
        {"max_lr", 0.5},
        {"pct_start", 0.4},
        {"anneal_strategy", "linear"},
        {"three_phase", true},
        {"div_factor", 10.0},
        {"final_div_factor", 100.0}}},
      {"SequentialLR",
       {{"schedules",
         {{{"name", "Constant"}}, {{"name", "ExponentialLR"}, {"params", {{"gamma", 0.5}}}}}},
        {"milestones", {3}}}},
      {"ChainedScheduler", {{"schedules", {{{"name", "StepLR"}, {"params", {{"step_size", 2}}}}}}}},
      {"ReduceLROnPlateau",
       {{"mode", "max"},
        {"threshold_mode", "abs"},
        {"patience", 3},
        {"inner", {{"name", "ExponentialLR"}, {"params", {{"gamma", 0.5}}}}}}},
      {"ExponentialDecay", {{"decay_steps", 10}, {"decay_rate", 0.5}, {"staircase", true}}},
      {"PiecewiseConstantDecay", {{"boundaries", {10}}, {"values", {0.1, 0.01}}}},
      {"PolynomialDecay", {{"decay_steps", 10}, {"power", 2.0}, {"cycle", true}}},
      {"InverseTimeDecay", {{"decay_steps", 10}, {"decay_rate", 0.5}, {"staircase", true}}},
      {"CosineDecay", {{"decay_steps", 10}, {"warmup_target", 0.2}, {"warmup_steps", 3}}},
      {"CosineDecayRestarts", {{"first_decay_steps", 10}, {"t_mul", 3.0}, {"alpha", 0.1}}},
      {"KerasLegacyDecay", {{"decay", 0.01}}},
  };
  for (const auto name : schedule_names()) {
    SCOPED_TRACE(std::string(name));
    ASSERT_TRUE(unusual.contains(std::string(name)));
    const json& params = unusual[std::string(name)];
    const json config = make_schedule(name, params, 0.1, 0)->config();
    for (const auto& [key, value] : params.items()) {
      if (key == "schedules" || key == "inner") continue;  // specs, written back in full
      EXPECT_EQ(config.at(key), value) << key;
    }
    EXPECT_EQ(make_schedule(name, config, 0.1, 0)->config(), config);
  }
}

}  // namespace
}  // namespace descent
