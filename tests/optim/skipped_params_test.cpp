// A parameter that gets no gradient in a step is not stepped, by any optimizer: no update, no
// weight decay, no moment decay, no step count. The PyTorch runs of
// tests/fixtures/skipped_params.json (tools/fixtures/gen_skipped_params.py), with a frozen
// parameter and a branch that the model takes on some steps only, replayed through autograd and
// Optimizer; and the Keras convention skipping the same way, as Keras filters out None gradients.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/ops.h"
#include "core/variable.h"
#include "fixture_file.h"
#include "optim/make_optimizer.h"

namespace descent {
namespace {

using nlohmann::json;

const json& skipped_params() {
  static const json data = test_fixtures::read("skipped_params.json");
  return data;
}

Tensor fixture_matrix(const json& rows) {
  std::vector<float> values;
  for (const json& row : rows)
    for (const json& v : row)
      values.push_back(v.get<float>());
  return Tensor({static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(rows[0].size())},
                values);
}

std::vector<float> values_now(const Variable& v) {
  const auto values = v.value().values();
  return {values.begin(), values.end()};
}

// The fixture's problem: W always used, F never (frozen), B on the branch steps only.
//   L = mean((tanh(X W [+ X B]) - Y)^2)
struct BranchProblem {
  const json& spec = skipped_params()["problem"];
  Variable x{fixture_matrix(spec["x"])};
  Variable y{fixture_matrix(spec["y"])};
  Variable w{fixture_matrix(spec["w0"]), true};
  Variable frozen{fixture_matrix(spec["f0"]), true};
  Variable branch{fixture_matrix(spec["b0"]), true};

  std::vector<Variable> params() const { return {w, frozen, branch}; }
  bool branch_taken(int step) const {
    const json& steps = spec["branch_steps"];
    return std::find(steps.begin(), steps.end(), step) != steps.end();
  }
  Variable loss(int step) const {
    Variable z = matmul(x, w);
    if (branch_taken(step)) z = add(z, matmul(x, branch));
    return mean(square(sub(tanh(z), y)));
  }
};

// |actual - expected| <= tol * max(|expected|, floor), the bound of trajectory_test.cpp.
::testing::AssertionResult near_pytorch(double actual, double expected, double tol, double floor) {
  if (std::abs(actual - expected) <= tol * std::max(std::abs(expected), floor))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << actual << ", PyTorch " << expected;
}

TEST(SkippedParameters, FixtureCoversEveryOptimizer) {
  std::set<std::string> covered;
  for (const json& c : skipped_params()["cases"])
    covered.insert(c["optimizer"].get<std::string>());
  for (std::string_view name : optimizer_names())
    EXPECT_TRUE(covered.contains(std::string(name))) << name << " has no case";
}

// One case of the fixture, step by step (an ASSERT ends this case only).
void replay_pytorch_case(const json& c) {
  SCOPED_TRACE(c["case"].get<std::string>());
  const int steps = skipped_params()["problem"]["steps"];
  BranchProblem problem;
  const std::vector<Variable> params = problem.params();
  auto optimizer = make_optimizer(c["optimizer"].get<std::string>(), params, c["hyperparameters"]);
  std::vector<std::int64_t> updates(params.size(), 0);
  for (int t = 1; t <= steps; ++t) {
    optimizer->zero_grad();
    problem.loss(t).backward();
    for (std::size_t i = 0; i < params.size(); ++i) {
      const bool torch_has_grad = c["has_grad"][t - 1][i];
      ASSERT_EQ(params[i].has_grad(), torch_has_grad) << "step " << t << ", parameter " << i;
      updates[i] += torch_has_grad;
    }
    optimizer->step();
    const json& expected = c["values"][t - 1];
    std::size_t k = 0;
    for (const Variable& p : params)
      for (float actual : p.value().values()) {
        ASSERT_TRUE(near_pytorch(actual, expected[k].get<double>(), 1e-5, 0.1))
            << "step " << t << ", value " << k;
        ++k;
      }
    for (std::size_t i = 0; i < params.size(); ++i)
      ASSERT_EQ(optimizer->rule().states()[i].step, updates[i])
          << "step " << t << ", parameter " << i;
  }
}

TEST(SkippedParameters, EveryOptimizerMatchesPyTorch) {
  for (const json& c : skipped_params()["cases"])
    replay_pytorch_case(c);
}

// Keras's optimizer.apply drops the variables whose gradient is None before clipping, weight
// decay and the update, so under the Keras convention too a skipped step leaves the parameter and
// every moment of it as they were. (Keras's bias corrections count the optimizer's iterations,
// descent's the parameter's own steps: docs/optimizers.md.)
TEST(SkippedParameters, KerasConventionSkipsTheSameWay) {
  const int steps = skipped_params()["problem"]["steps"];
  for (const json& c : skipped_params()["cases"]) {
    SCOPED_TRACE(c["case"].get<std::string>());
    json hyperparameters = c["hyperparameters"];
    hyperparameters["convention"] = "keras";
    BranchProblem problem;
    const std::vector<float> frozen0 = values_now(problem.frozen);
    auto optimizer =
        make_optimizer(c["optimizer"].get<std::string>(), problem.params(), hyperparameters);
    for (int t = 1; t <= steps; ++t) {
      optimizer->zero_grad();
      problem.loss(t).backward();
      const std::vector<float> branch_before = values_now(problem.branch);
      const auto& states = optimizer->rule().states();
      const ParamState<float> state_before = states.size() > 2 ? states[2] : ParamState<float>{};
      optimizer->step();
      EXPECT_EQ(values_now(problem.frozen), frozen0) << "step " << t;
      EXPECT_EQ(optimizer->rule().states()[1].step, 0);
      EXPECT_TRUE(optimizer->rule().states()[1].slots.empty());
      const ParamState<float>& state = optimizer->rule().states()[2];
      if (problem.branch_taken(t)) {
        EXPECT_NE(values_now(problem.branch), branch_before) << "step " << t;
        EXPECT_EQ(state.step, state_before.step + 1) << "step " << t;
      } else {
        EXPECT_EQ(values_now(problem.branch), branch_before) << "step " << t;
        EXPECT_EQ(state.step, state_before.step) << "step " << t;
        EXPECT_EQ(state.slots, state_before.slots) << "step " << t;
        EXPECT_EQ(state.scalars, state_before.scalars) << "step " << t;
      }
    }
  }
}

}  // namespace
}  // namespace descent
