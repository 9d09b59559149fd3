// Parity with PyTorch: every optimizer follows the trajectories of tests/fixtures/optimizers.json
// (tools/fixtures/gen_optimizers.py) on a one-layer tanh network, float through Optimizer on
// Variables and double through the same rules on plain spans. Cases with b_weight_decay_scale put
// b in a second parameter group with that weight-decay scale.
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/variable.h"
#include "fixture_file.h"
#include "optim/make_optimizer.h"

namespace descent {
namespace {

using nlohmann::json;

const json& trajectories() {
  static const json data = test_fixtures::read("optimizers.json");
  return data;
}

template <class T>
std::vector<T> flat(const json& rows) {
  std::vector<T> out;
  for (const json& row : rows) {
    if (row.is_array()) {
      for (const json& v : row)
        out.push_back(v.get<T>());
    } else {
      out.push_back(row.get<T>());
    }
  }
  return out;
}

// Gradient of L = mean((tanh(X W + b) - Y)^2) with X 4x3, W 3x3, b 3, Y 4x3 (all row-major).
template <class T>
void gradient(std::span<const T> w, std::span<const T> b, std::span<T> gw, std::span<T> gb) {
  static const std::vector<T> x = flat<T>(trajectories()["problem"]["x"]);
  static const std::vector<T> y = flat<T>(trajectories()["problem"]["y"]);
  std::fill(gw.begin(), gw.end(), T(0));
  std::fill(gb.begin(), gb.end(), T(0));
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 3; ++j) {
      T z = b[j];
      for (int k = 0; k < 3; ++k)
        z += x[i * 3 + k] * w[k * 3 + j];
      const T out = std::tanh(z);
      const T dz = T(2) * (out - y[i * 3 + j]) / T(12) * (T(1) - out * out);
      for (int k = 0; k < 3; ++k)
        gw[k * 3 + j] += x[i * 3 + k] * dz;
      gb[j] += dz;
    }
  }
}

// b's group's weight-decay scale; 1 (one group) when the case has none.
double b_weight_decay_scale(const json& c) {
  return c.value("b_weight_decay_scale", 1.0);
}

bool b_has_grad(int t) {
  return t % 7 != 3;
}

// |actual - expected| <= tol * max(|expected|, floor): relative, with a floor for values near 0
// (the float runs differ from PyTorch's by a few float ulps of the gradient, which momentum
// carries along: observed errors stay below 1.5e-6 on this scale).
::testing::AssertionResult close(double actual, double expected, double tol, double floor) {
  const double bound = tol * std::max(std::abs(expected), floor);
  if (std::abs(actual - expected) <= bound) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "got " << actual << ", PyTorch " << expected << " (relative error "
         << std::abs(actual - expected) / std::abs(expected) << ")";
}

TEST(OptimizerTrajectory, FloatMatchesPyTorchForEveryCase) {
  const json& problem = trajectories()["problem"];
  const int steps = problem["steps"];
  const int lr_change_after = problem["lr_change_after"];
  ASSERT_GE(trajectories()["float32"].size(), 20u);
  for (const json& c : trajectories()["float32"]) {
    SCOPED_TRACE(c["case"].get<std::string>());
    Variable w(Tensor({3, 3}, flat<float>(problem["w0"])), true);
    Variable b(Tensor({3}, flat<float>(problem["b0"])), true);
    const bool grouped = c.contains("b_weight_decay_scale");
    auto optimizer =
        make_optimizer(c["optimizer"].get<std::string>(),
                       grouped ? std::vector{w} : std::vector{w, b}, c["hyperparameters"]);
    if (grouped) optimizer->add_param_group({b}, 1.0, b_weight_decay_scale(c));
    for (int t = 1; t <= steps; ++t) {
      if (t == lr_change_after + 1) optimizer->set_lr(c["lr_after"].get<double>());
      optimizer->zero_grad();
      std::vector<float> gb(3);
      gradient<float>(w.value().values(), b.value().values(), w.mutable_grad().values(), gb);
      if (b_has_grad(t)) std::copy(gb.begin(), gb.end(), b.mutable_grad().data());
      optimizer->step();
      const json& expected = c["trajectory"][t - 1];
      for (int i = 0; i < 12; ++i) {
        const float actual = i < 9 ? w.value()[i] : b.value()[i - 9];
        ASSERT_TRUE(close(actual, expected[i].get<double>(), 1e-5, 0.1))
            << "step " << t << ", value " << i;
      }
    }
    EXPECT_EQ(optimizer->iterations(), steps);
  }
}

TEST(OptimizerTrajectory, DoubleMatchesPyTorchFloat64) {
  const json& problem = trajectories()["problem"];
  const int steps = problem["steps"];
  const int lr_change_after = problem["lr_change_after"];
  ASSERT_GE(trajectories()["float64"].size(), 13u);
  for (const json& c : trajectories()["float64"]) {
    SCOPED_TRACE(c["case"].get<std::string>());
    std::vector<double> w = flat<double>(problem["w0"]), b = flat<double>(problem["b0"]);
    std::vector<double> gw(9), gb(3);
    auto optimizer =
        make_basic_optimizer<double>(c["optimizer"].get<std::string>(), c["hyperparameters"]);
    for (int t = 1; t <= steps; ++t) {
      if (t == lr_change_after + 1) optimizer->set_lr(c["lr_after"].get<double>());
      gradient<double>(w, b, gw, gb);
      const ParamSlice<double> params[] = {
          {w, gw},
          {.value = b,
           .grad = b_has_grad(t) ? std::span(gb) : std::span<double>(),
           .weight_decay_scale = b_weight_decay_scale(c)}};
      optimizer->step(params);
      const json& expected = c["trajectory"][t - 1];
      for (int i = 0; i < 12; ++i) {
        const double actual = i < 9 ? w[i] : b[i - 9];
        ASSERT_TRUE(close(actual, expected[i].get<double>(), 1e-12, 0.1))
            << "step " << t << ", value " << i;
      }
    }
  }
}

// The skipped steps of b leave its own step count behind the optimizer's.
TEST(OptimizerTrajectory, ParameterWithoutGradientKeepsItsStepCount) {
  const json& problem = trajectories()["problem"];
  std::vector<double> w = flat<double>(problem["w0"]), b = flat<double>(problem["b0"]);
  std::vector<double> gw(9), gb(3);
  auto adam = make_basic_optimizer<double>("adam", json::object());
  for (int t = 1; t <= 10; ++t) {
    gradient<double>(w, b, gw, gb);
    const ParamSlice<double> params[] = {{w, gw},
                                         {b, b_has_grad(t) ? std::span(gb) : std::span<double>()}};
    adam->step(params);
  }
  EXPECT_EQ(adam->iterations(), 10);
  EXPECT_EQ(adam->states()[0].step, 10);
  EXPECT_EQ(adam->states()[1].step, 8);  // t = 3 and t = 10 had none
}

}  // namespace
}  // namespace descent
