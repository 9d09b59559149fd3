// Schedule-Free SGD and AdamW: the trajectories of tests/fixtures/schedule_free.json
// (tools/fixtures/gen_schedule_free.py, the reference implementations re-derived under PyTorch
// 1.13) in float64 and float32, both the training point y and the evaluation point x; the weight
// switch of Optimizer; the state through a checkpoint, in either mode; hyperparameter validation
// and config round trips.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/variable.h"
#include "fixture_file.h"
#include "optim/make_optimizer.h"
#include "perturbed_quadratic.h"

namespace descent {
// A named namespace: the test sources are compiled in batches (unity build).
namespace schedule_free_test {

using nlohmann::json;
using test_fixtures::run_steps;
using test_fixtures::skipped;
using test_fixtures::starting_variables;
using test_fixtures::values_of;

const json& fixture() {
  static const json data = test_fixtures::read("schedule_free.json");
  return data;
}

template <class T>
struct Problem : test_fixtures::PerturbedQuadratic<T> {
  Problem() : test_fixtures::PerturbedQuadratic<T>(fixture()["problem"]) {}
};

// The weight of the last step in the average, c = w/W, from the scalars k, η_max, W.
double average_weight(const BasicOptimizer<double>& optimizer, const json& hp) {
  const std::vector<double>& s = optimizer.scalars();
  const double r = hp.value("r", 0.0), power = hp.value("weight_lr_power", 2.0);
  return std::pow(s[0], r) * std::pow(s[1], power) / s[2];
}

struct Worst {
  double y = 0, x = 0, weight = 0;
};

// The largest error of `actual` against the fixture's values, relative to max(|expected|, floor)
// (values cross 0).
template <class T>
double worst_error(const std::vector<T>& actual, const json& expected, double floor) {
  double worst = 0;
  for (std::size_t k = 0; k < actual.size(); ++k) {
    const double e = expected[k].get<double>();
    worst = std::max(worst, std::abs(actual[k] - e) / std::max(std::abs(e), floor));
  }
  return worst;
}

// Replays one case through BasicOptimizer<T>. x is read through swap_eval_point(), which must
// give back the training point bitwise.
template <class T>
Worst replay(const json& c, double floor) {
  const json& spec = fixture()["problem"];
  const json& hp = c["hyperparameters"];
  auto optimizer = make_basic_optimizer<T>(c["optimizer"].get<std::string>(), hp);
  const double lr0 = optimizer->lr();
  Problem<T> problem;
  std::vector<ParamSlice<T>> slices(problem.values.size());
  Worst worst;
  std::size_t record = 0;
  for (int t = 1; t <= spec["steps"].get<int>(); ++t) {
    if (c.contains("lr_gamma"))
      optimizer->set_lr(lr0 * std::pow(c["lr_gamma"].get<double>(), t - 1));
    for (std::size_t i = 0; i < slices.size(); ++i) {
      const bool skip = i + 1 == slices.size() && skipped(c, t);
      if (!skip) problem.write_gradient(i, t);
      slices[i] = {problem.values[i], skip ? std::span<T>() : std::span<T>(problem.grads[i])};
    }
    optimizer->step(slices);
    if (record < spec["record"].size() && spec["record"][record].get<int>() == t) {
      const std::vector<T> y = problem.flat();
      worst.y = std::max(worst.y, worst_error(y, c["y"][record], floor));
      optimizer->swap_eval_point(slices);
      worst.x = std::max(worst.x, worst_error(problem.flat(), c["x"][record], floor));
      optimizer->swap_eval_point(slices);
      EXPECT_EQ(problem.flat(), y) << "step " << t << ": the training point did not come back";
      if constexpr (std::is_same_v<T, double>) {
        const double e = c["average_weight"][record].get<double>();
        worst.weight = std::max(worst.weight, std::abs(average_weight(*optimizer, hp) - e) / e);
      }
      ++record;
    }
  }
  EXPECT_EQ(record, spec["record"].size());
  return worst;
}

TEST(ScheduleFree, FixtureCoversEachOptimizerInBothPrecisions) {
  for (const char* name : {"sgd_schedule_free", "adamw_schedule_free"}) {
    int float64 = 0, float32 = 0, warmup = 0, decay = 0;
    for (const json& c : fixture()["cases"]) {
      if (c["optimizer"] != name) continue;
      float64 += c["dtype"] == "float64";
      float32 += c["dtype"] == "float32";
      warmup += c["hyperparameters"].value("warmup_steps", 0) > 0;
      decay += c["hyperparameters"].value("weight_decay", 0.0) > 0;
    }
    EXPECT_GE(float64, 4) << name;
    EXPECT_EQ(float32, 1) << name;
    EXPECT_GE(warmup, 3) << name;
    EXPECT_GE(decay, 3) << name;
  }
}

TEST(ScheduleFree, Float64FollowsTheReferenceTo1e10) {
  for (const json& c : fixture()["cases"]) {
    if (c["dtype"] != "float64") continue;
    SCOPED_TRACE(c["case"].get<std::string>());
    const Worst worst = replay<double>(c, 1e-3);
    EXPECT_LE(worst.y, 1e-10);
    EXPECT_LE(worst.x, 1e-10);
    EXPECT_LE(worst.weight, 1e-10);
  }
}

// The floor of trajectory_test.cpp: float32 resolves about 6e-8 around 0.5.
TEST(ScheduleFree, Float32FollowsTheReferenceTo1e5) {
  for (const json& c : fixture()["cases"]) {
    if (c["dtype"] != "float32") continue;
    SCOPED_TRACE(c["case"].get<std::string>());
    const Worst worst = replay<float>(c, 0.1);
    EXPECT_LE(worst.y, 1e-5);
    EXPECT_LE(worst.x, 1e-5);
  }
}

// The slot that keeps the point the parameters do not hold.
std::vector<std::vector<float>> other_point(const Optimizer& optimizer) {
  std::vector<std::vector<float>> out;
  for (const ParamState<float>& s : optimizer.rule().states())
    out.push_back(s.slots.at(*optimizer.rule().eval_point_slot()));
  return out;
}

TEST(ScheduleFree, TheWeightSwitchExchangesTheTwoPointsExactly) {
  for (const char* name : {"sgd_schedule_free", "adamw_schedule_free"}) {
    SCOPED_TRACE(name);
    std::vector<Variable> params = starting_variables(fixture()["problem"]);
    auto optimizer = make_optimizer(name, params, {{"lr", 0.05}, {"warmup_steps", 3}});
    run_steps(fixture()["problem"], *optimizer, params, 1, 6);
    const auto y = values_of(params), x = other_point(*optimizer);
    ASSERT_NE(x, y);
    EXPECT_FALSE(optimizer->holds_eval_weights());
    optimizer->use_eval_weights();
    EXPECT_TRUE(optimizer->holds_eval_weights());
    EXPECT_EQ(values_of(params), x);
    EXPECT_EQ(other_point(*optimizer), y);
    optimizer->use_eval_weights();  // already in: nothing moves
    EXPECT_EQ(values_of(params), x);
    // A step from x would mix the points: refused, and nothing changes.
    const std::int64_t iterations = optimizer->iterations();
    EXPECT_THROW(optimizer->step(), InvalidArgument);
    EXPECT_EQ(optimizer->iterations(), iterations);
    {
      const EvalWeights nested(*optimizer);  // the weights were already out: it leaves them
    }
    EXPECT_TRUE(optimizer->holds_eval_weights());
    optimizer->use_train_weights();
    EXPECT_FALSE(optimizer->holds_eval_weights());
    EXPECT_EQ(values_of(params), y);
    {
      const EvalWeights eval(*optimizer);
      EXPECT_EQ(values_of(params), x);
    }
    EXPECT_EQ(values_of(params), y);
    EXPECT_FALSE(optimizer->holds_eval_weights());
  }
}

TEST(ScheduleFree, TheSwitchIsANoOpForEveryOtherOptimizer) {
  for (std::string_view name : optimizer_names()) {
    if (name.ends_with("_schedule_free")) continue;
    SCOPED_TRACE(std::string(name));
    std::vector<Variable> params = starting_variables(fixture()["problem"]);
    auto optimizer = make_optimizer(name, params, json::object());
    EXPECT_FALSE(optimizer->rule().eval_point_slot());
    run_steps(fixture()["problem"], *optimizer, params, 1, 2);
    const auto before = values_of(params);
    optimizer->use_eval_weights();
    EXPECT_FALSE(optimizer->holds_eval_weights());
    EXPECT_EQ(values_of(params), before);
    EXPECT_NO_THROW(run_steps(fixture()["problem"], *optimizer, params, 3, 3));
    EXPECT_FALSE(optimizer->state_dict().meta.contains("eval_weights"));
  }
}

// z, x and the scalars go through the checkpoint's JSON text and back exactly: a fresh optimizer
// that loads them mid-run continues bitwise equal to the one that ran on. A state taken with the
// evaluation weights in goes with those weights, and switching back recovers y.
TEST(ScheduleFree, CheckpointMidRunContinuesBitwiseEqualInEitherMode) {
  const std::vector<std::pair<std::string, json>> cases = {
      {"sgd_schedule_free", {{"lr", 0.2}, {"weight_decay", 0.01}, {"warmup_steps", 20}}},
      {"sgd_schedule_free", {{"lr", 0.1}, {"r", 1.0}, {"weight_lr_power", 1.0}}},
      {"adamw_schedule_free", {{"lr", 0.02}, {"weight_decay", 0.01}, {"warmup_steps", 20}}},
      {"adamw_schedule_free", {{"betas", {0.8, 0.99}}, {"r", 0.5}}},
  };
  for (const auto& [name, hp] : cases) {
    for (const bool eval_mode : {false, true}) {
      SCOPED_TRACE(name + " " + hp.dump() + (eval_mode ? " saved in eval mode" : ""));
      std::vector<Variable> straight = starting_variables(fixture()["problem"]),
                            resumed = starting_variables(fixture()["problem"]);
      auto through = make_optimizer(name, straight, hp);
      run_steps(fixture()["problem"], *through, straight, 1, 30);

      auto first = make_optimizer(name, resumed, hp);
      run_steps(fixture()["problem"], *first, resumed, 1, 12);
      if (eval_mode) first->use_eval_weights();
      StateDict saved = first->state_dict();
      ASSERT_TRUE(saved.meta.contains("scalars"));
      EXPECT_EQ(saved.meta.contains("eval_weights"), eval_mode);
      ASSERT_TRUE(saved.tensors.contains("state.0.x"));
      saved.meta = json::parse(saved.meta.dump());
      std::vector<Variable> copies;
      for (const Variable& p : resumed)
        copies.emplace_back(p.value(), true);
      auto second = make_optimizer(name, copies, hp);
      second->load_state_dict(saved);
      EXPECT_EQ(second->holds_eval_weights(), eval_mode);
      EXPECT_EQ(second->rule().scalars(), first->rule().scalars());
      second->use_train_weights();
      run_steps(fixture()["problem"], *second, copies, 13, 30);
      EXPECT_EQ(values_of(copies), values_of(straight));
      EXPECT_EQ(other_point(*second), other_point(*through));
      EXPECT_EQ(second->rule().scalars(), through->rule().scalars());
    }
  }
}

TEST(ScheduleFree, EvalWeightsInAStateOfAnotherOptimizerAreRejected) {
  std::vector<Variable> params = starting_variables(fixture()["problem"]);
  auto adam = make_optimizer("adam", params, json::object());
  run_steps(fixture()["problem"], *adam, params, 1, 2);
  StateDict saved = adam->state_dict();
  saved.meta["eval_weights"] = true;
  auto fresh = make_optimizer("adam", params, json::object());
  try {
    fresh->load_state_dict(saved);
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "adam: saved state has eval_weights, but the rule keeps no such point");
  }
  EXPECT_EQ(fresh->iterations(), 0);
}

TEST(ScheduleFree, BadHyperparametersAreRejectedWithOneLine) {
  const std::vector<std::tuple<std::string, json, std::string>> cases = {
      {"sgd_schedule_free",
       {{"lr", -1.0}},
       "sgd_schedule_free: learning rate must be finite and > 0, got -1"},
      {"sgd_schedule_free",
       {{"momentum", 0.0}},
       "sgd_schedule_free: momentum must be in (0, 1), got 0"},
      {"sgd_schedule_free",
       {{"momentum", 1.0}},
       "sgd_schedule_free: momentum must be in (0, 1), got 1"},
      {"sgd_schedule_free",
       {{"weight_decay", -0.1}},
       "sgd_schedule_free: weight_decay must be finite and >= 0, got -0.1"},
      {"sgd_schedule_free",
       {{"warmup_steps", -5}},
       "sgd_schedule_free: warmup_steps must be >= 0, got -5"},
      {"sgd_schedule_free", {{"r", -1.0}}, "sgd_schedule_free: r must be finite and >= 0, got -1"},
      {"sgd_schedule_free",
       {{"weight_lr_power", -2.0}},
       "sgd_schedule_free: weight_lr_power must be finite and >= 0, got -2"},
      {"adamw_schedule_free",
       {{"betas", {1.0, 0.9}}},
       "adamw_schedule_free: betas[0] must be in [0, 1), got 1"},
      {"adamw_schedule_free",
       {{"betas", {0.9, -0.1}}},
       "adamw_schedule_free: betas[1] must be in [0, 1), got -0.1"},
      {"adamw_schedule_free",
       {{"eps", -1.0}},
       "adamw_schedule_free: eps must be finite and >= 0, got -1"},
      {"adamw_schedule_free",
       {{"warmup_steps", -1}},
       "adamw_schedule_free: warmup_steps must be >= 0, got -1"},
      {"adamw_schedule_free",
       {{"r", std::nan("")}},
       "adamw_schedule_free: r must be finite and >= 0, got nan"},
      {"adamw_schedule_free",
       {{"weight_lr_power", -0.5}},
       "adamw_schedule_free: weight_lr_power must be finite and >= 0, got -0.5"},
      {"adamw_schedule_free",
       {{"warmup_steps", 2.5}},
       "adamw_schedule_free: hyperparameter 'warmup_steps' must be an integer, got 2.5"},
  };
  for (const auto& [name, hp, message] : cases) {
    try {
      make_basic_optimizer<double>(name, hp);
      ADD_FAILURE() << name << " " << hp.dump() << ": no InvalidArgument";
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(e.what(), message);
    }
  }
}

TEST(ScheduleFree, ConfigHoldsThePaperDefaultsAndNoMomentumToCycle) {
  const json sgd = make_basic_optimizer<double>("sgd_schedule_free", json::object())->config();
  EXPECT_EQ(sgd, json({{"lr", 1.0},
                       {"momentum", 0.9},
                       {"weight_decay", 0.0},
                       {"warmup_steps", 0},
                       {"r", 0.0},
                       {"weight_lr_power", 2.0}}));
  const json adamw = make_basic_optimizer<double>("adamw_schedule_free", json::object())->config();
  EXPECT_EQ(adamw, json({{"lr", 0.0025},
                         {"betas", {0.9, 0.999}},
                         {"eps", 1e-8},
                         {"weight_decay", 0.0},
                         {"warmup_steps", 0},
                         {"r", 0.0},
                         {"weight_lr_power", 2.0}}));
  for (const auto& [name, config] :
       {std::pair<std::string, json>{"sgd_schedule_free", sgd}, {"adamw_schedule_free", adamw}}) {
    auto rule = make_basic_optimizer<float>(name, config);
    EXPECT_EQ(rule->config(), config) << name;
    EXPECT_FALSE(rule->momentum()) << name;
    EXPECT_THROW(rule->set_momentum(0.8), InvalidArgument) << name;
  }
}

}  // namespace schedule_free_test
}  // namespace descent
