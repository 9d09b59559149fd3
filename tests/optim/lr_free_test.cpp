// The learning-rate-free optimizers, DoG, Prodigy and D-Adaptation SGD and Adam: the trajectories
// of tests/fixtures/lr_free.json (tools/fixtures/gen_lr_free.py, the reference implementations
// re-derived under PyTorch 1.13) in float64 and float32, their optimizer-level state through a
// checkpoint, hyperparameter validation and config round trips.
#include <algorithm>
#include <cmath>
#include <string>
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
namespace lr_free_test {

using nlohmann::json;
using test_fixtures::run_steps;
using test_fixtures::skipped;
using test_fixtures::starting_variables;

const json& fixture() {
  static const json data = test_fixtures::read("lr_free.json");
  return data;
}

// The fixture's problem (tests/support/perturbed_quadratic.h).
template <class T>
struct Problem : test_fixtures::PerturbedQuadratic<T> {
  Problem() : test_fixtures::PerturbedQuadratic<T>(fixture()["problem"]) {}
};

// The step statistic the fixture records: DoG's η (lr·r̄/√G, or init_eta on the first step),
// the others' d (their first scalar).
template <class T>
double statistic(const BasicOptimizer<T>& optimizer, const json& hp, int t) {
  const std::vector<double>& s = optimizer.scalars();
  if (optimizer.name() != "dog") return s[0];
  if (t == 1 && hp.contains("init_eta")) return hp["init_eta"].get<double>();
  return optimizer.lr() * s[1] / std::sqrt(s[2]);
}

struct Worst {
  double value = 0, statistic = 0;
};

// Replays one case through BasicOptimizer<T>; returns the largest relative errors, for the
// values against max(|expected|, floor) (values cross 0).
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
      const std::vector<T> actual = problem.flat();
      const json& expected = c["values"][record];
      for (std::size_t k = 0; k < actual.size(); ++k) {
        const double e = expected[k].get<double>();
        worst.value = std::max(worst.value, std::abs(actual[k] - e) / std::max(std::abs(e), floor));
      }
      const double e = c["statistic"][record].get<double>();
      worst.statistic =
          std::max(worst.statistic, std::abs(statistic(*optimizer, hp, t) - e) / std::abs(e));
      ++record;
    }
  }
  EXPECT_EQ(record, spec["record"].size());
  return worst;
}

TEST(LrFree, FixtureCoversEachOptimizerInBothPrecisions) {
  for (const char* name : {"dog", "prodigy", "dadapt_sgd", "dadapt_adam"}) {
    int float64 = 0, float32 = 0;
    for (const json& c : fixture()["cases"]) {
      if (c["optimizer"] != name) continue;
      float64 += c["dtype"] == "float64";
      float32 += c["dtype"] == "float32";
    }
    EXPECT_GE(float64, 3) << name;
    EXPECT_EQ(float32, 1) << name;
  }
}

TEST(LrFree, Float64FollowsTheReferencesTo1e10) {
  for (const json& c : fixture()["cases"]) {
    if (c["dtype"] != "float64") continue;
    SCOPED_TRACE(c["case"].get<std::string>());
    const Worst worst = replay<double>(c, 1e-3);
    EXPECT_LE(worst.value, 1e-10);
    EXPECT_LE(worst.statistic, 1e-10);
  }
}

// The floor of trajectory_test.cpp: float32 resolves about 6e-8 around 0.5.
TEST(LrFree, Float32FollowsTheReferencesTo1e5) {
  for (const json& c : fixture()["cases"]) {
    if (c["dtype"] != "float32") continue;
    SCOPED_TRACE(c["case"].get<std::string>());
    const Worst worst = replay<float>(c, 0.1);
    EXPECT_LE(worst.value, 1e-5);
    EXPECT_LE(worst.statistic, 1e-5);
  }
}

// The optimizer-level scalars go through the checkpoint's JSON text and back exactly: a fresh
// optimizer that loads them mid-run continues bitwise equal to the one that ran on.
TEST(LrFree, CheckpointMidRunContinuesBitwiseEqual) {
  const std::vector<std::pair<std::string, json>> cases = {
      {"dog", {{"weight_decay", 0.01}}},
      {"dog", {{"init_eta", 0.01}}},
      {"prodigy", {{"weight_decay", 0.01}, {"use_bias_correction", true}}},
      {"prodigy", {{"growth_rate", 1.1}, {"safeguard_warmup", true}, {"decouple", false}}},
      {"dadapt_sgd", {{"momentum", 0.9}, {"weight_decay", 0.01}}},
      {"dadapt_adam", {{"use_bias_correction", true}, {"decouple", true}, {"weight_decay", 0.01}}},
  };
  for (const auto& [name, hp] : cases) {
    SCOPED_TRACE(name + " " + hp.dump());
    std::vector<Variable> straight = starting_variables(fixture()["problem"]),
                          resumed = starting_variables(fixture()["problem"]);
    auto through = make_optimizer(name, straight, hp);
    run_steps(fixture()["problem"], *through, straight, 1, 30);

    auto first = make_optimizer(name, resumed, hp);
    run_steps(fixture()["problem"], *first, resumed, 1, 12);
    StateDict saved = first->state_dict();
    ASSERT_TRUE(saved.meta.contains("scalars"));
    saved.meta = json::parse(saved.meta.dump());
    std::vector<Variable> copies;
    for (const Variable& p : resumed)
      copies.emplace_back(p.value(), true);
    auto second = make_optimizer(name, copies, hp);
    second->load_state_dict(saved);
    EXPECT_EQ(second->rule().scalars(), first->rule().scalars());
    run_steps(fixture()["problem"], *second, copies, 13, 30);
    for (std::size_t i = 0; i < straight.size(); ++i) {
      const auto expected = straight[i].value().values();
      const auto actual = copies[i].value().values();
      EXPECT_TRUE(std::equal(actual.begin(), actual.end(), expected.begin(), expected.end()))
          << "parameter " << i;
    }
    EXPECT_EQ(second->rule().scalars(), through->rule().scalars());
  }
}

TEST(LrFree, CheckpointWithTheWrongNumberOfScalarsIsRejected) {
  std::vector<Variable> params = starting_variables(fixture()["problem"]);
  auto dog = make_optimizer("dog", params, json::object());
  run_steps(fixture()["problem"], *dog, params, 1, 2);
  StateDict saved = dog->state_dict();
  saved.meta["scalars"].push_back(1.0);
  auto fresh = make_optimizer("dog", params, json::object());
  try {
    fresh->load_state_dict(saved);
    ADD_FAILURE() << "no InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "dog: saved state has 4 optimizer scalars, expected 3");
  }
  EXPECT_EQ(fresh->iterations(), 0);
}

TEST(LrFree, BadHyperparametersAreRejectedWithOneLine) {
  const std::vector<std::tuple<std::string, json, std::string>> cases = {
      {"dog", {{"lr", -1.0}}, "dog: learning rate must be finite and > 0, got -1"},
      {"dog", {{"reps_rel", 0.0}}, "dog: reps_rel must be finite and > 0, got 0"},
      {"dog", {{"init_eta", -0.5}}, "dog: init_eta must be finite and > 0, got -0.5"},
      {"dog", {{"eps", -1e-8}}, "dog: eps must be finite and >= 0, got -1e-08"},
      {"dog", {{"weight_decay", -0.1}}, "dog: weight_decay must be finite and >= 0, got -0.1"},
      {"prodigy", {{"lr", 0.0}}, "prodigy: learning rate must be finite and > 0, got 0"},
      {"prodigy", {{"betas", {0.9, 1.0}}}, "prodigy: betas[1] must be in [0, 1), got 1"},
      {"prodigy", {{"beta3", 1.5}}, "prodigy: beta3 must be in [0, 1), got 1.5"},
      {"prodigy", {{"eps", 0.0}}, "prodigy: eps must be finite and > 0, got 0"},
      {"prodigy", {{"d0", 0.0}}, "prodigy: d0 must be finite and > 0, got 0"},
      {"prodigy", {{"d_coef", -2.0}}, "prodigy: d_coef must be finite and > 0, got -2"},
      {"prodigy", {{"growth_rate", 0.5}}, "prodigy: growth_rate must be >= 1, got 0.5"},
      {"prodigy",
       {{"weight_decay", -1.0}},
       "prodigy: weight_decay must be finite and >= 0, got -1"},
      {"dadapt_sgd", {{"momentum", 1.0}}, "dadapt_sgd: momentum must be in [0, 1), got 1"},
      {"dadapt_sgd", {{"d0", -1.0}}, "dadapt_sgd: d0 must be finite and > 0, got -1"},
      {"dadapt_sgd", {{"growth_rate", 0.9}}, "dadapt_sgd: growth_rate must be >= 1, got 0.9"},
      {"dadapt_adam", {{"betas", {1.0, 0.9}}}, "dadapt_adam: betas[0] must be in [0, 1), got 1"},
      {"dadapt_adam", {{"eps", -1.0}}, "dadapt_adam: eps must be finite and > 0, got -1"},
      {"dadapt_adam",
       {{"lr", -0.5}},
       "dadapt_adam: learning rate must be finite and > 0, got -0.5"},
  };
  for (const auto& [name, hp, message] : cases) {
    try {
      make_basic_optimizer<double>(name, hp);
      ADD_FAILURE() << name << " " << hp.dump() << ": no InvalidArgument";
    } catch (const InvalidArgument& e) {
      EXPECT_EQ(e.what(), message);
    }
  }
  // A reps_rel of 0 is fine where init_eta replaces it, as in the reference.
  EXPECT_NO_THROW(make_basic_optimizer<double>("dog", {{"reps_rel", 0.0}, {"init_eta", 0.1}}));
}

TEST(LrFree, ConfigRoundTripsWithTheReferenceDefaults) {
  const json dog = make_basic_optimizer<double>("dog", json::object())->config();
  EXPECT_EQ(dog["lr"], 1.0);
  EXPECT_EQ(dog["reps_rel"], 1e-6);
  EXPECT_EQ(dog["eps"], 1e-8);
  EXPECT_TRUE(dog["init_eta"].is_null());
  EXPECT_EQ(dog["weight_decay"], 0.0);
  const json prodigy = make_basic_optimizer<double>("prodigy", json::object())->config();
  EXPECT_EQ(prodigy["lr"], 1.0);
  EXPECT_EQ(prodigy["betas"], json({0.9, 0.999}));
  EXPECT_TRUE(prodigy["beta3"].is_null());
  EXPECT_EQ(prodigy["eps"], 1e-8);
  EXPECT_EQ(prodigy["decouple"], true);
  EXPECT_EQ(prodigy["use_bias_correction"], false);
  EXPECT_EQ(prodigy["safeguard_warmup"], false);
  EXPECT_EQ(prodigy["d0"], 1e-6);
  EXPECT_EQ(prodigy["d_coef"], 1.0);
  EXPECT_TRUE(prodigy["growth_rate"].is_null());
  const json sgd = make_basic_optimizer<double>("dadapt_sgd", json::object())->config();
  EXPECT_EQ(sgd, json({{"lr", 1.0},
                       {"momentum", 0.0},
                       {"weight_decay", 0.0},
                       {"d0", 1e-6},
                       {"growth_rate", nullptr}}));
  const json adam = make_basic_optimizer<double>("dadapt_adam", json::object())->config();
  EXPECT_EQ(adam["betas"], json({0.9, 0.999}));
  EXPECT_EQ(adam["decouple"], false);
  EXPECT_EQ(adam["use_bias_correction"], false);
  EXPECT_EQ(adam["d0"], 1e-6);
  EXPECT_TRUE(adam["growth_rate"].is_null());
  for (const auto& [name, config] : {std::pair<std::string, json>{"dog", dog},
                                     {"prodigy", prodigy},
                                     {"dadapt_sgd", sgd},
                                     {"dadapt_adam", adam}})
    EXPECT_EQ(make_basic_optimizer<double>(name, config)->config(), config) << name;
  const json set = {{"init_eta", 0.02}, {"lr", 0.5}};
  EXPECT_EQ(make_basic_optimizer<float>("dog", set)->config()["init_eta"], 0.02);
}

}  // namespace lr_free_test
}  // namespace descent
