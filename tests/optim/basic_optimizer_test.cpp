// BasicOptimizer<double> on plain functions (the path `descent valley` uses): every rule
// minimises an ill-conditioned quadratic, and a step on spans behaves like a step on Variables.
#include "optim/basic_optimizer.h"

#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "optim/make_optimizer.h"

namespace descent {
namespace {

// f(x, y) = x² + 10y², minimum 0 at the origin.
double valley(const std::vector<double>& p) {
  return p[0] * p[0] + 10 * p[1] * p[1];
}

TEST(BasicOptimizer, EveryRuleDescendsAnIllConditionedQuadratic) {
  const std::vector<std::pair<std::string, nlohmann::json>> cases = {
      {"sgd", {{"lr", 0.04}, {"momentum", 0.5}}},
      {"adagrad", {{"lr", 0.5}}},
      {"adadelta", nlohmann::json::object()},  // the defaults: η 1, ρ 0.9, ε 1e-6
      {"rmsprop", {{"lr", 0.01}}},
      {"adam", {{"lr", 0.05}}},
      {"adamw", {{"lr", 0.05}}},
      {"adamax", {{"lr", 0.05}}},
      {"nadam", {{"lr", 0.05}}},
      {"lion", {{"lr", 0.01}}},
      {"dog", nlohmann::json::object()},  // learning-rate-free: the defaults
      {"prodigy", nlohmann::json::object()},
      {"dadapt_sgd", {{"momentum", 0.9}}},  // without momentum it diverges here, as the reference
      {"dadapt_adam", nlohmann::json::object()},
      {"sgd_schedule_free", {{"lr", 0.04}}},  // the steps' point y descends too
      {"adamw_schedule_free", {{"lr", 0.05}}},
  };
  for (const auto& [name, hp] : cases) {
    SCOPED_TRACE(name);
    auto optimizer = make_basic_optimizer<double>(name, hp);
    std::vector<double> p = {1.5, -0.5}, g(2);
    const double start = valley(p);
    for (int t = 0; t < 500; ++t) {
      g = {2 * p[0], 20 * p[1]};
      optimizer->step(p, g);
    }
    EXPECT_LT(valley(p), 1e-2 * start) << p[0] << ", " << p[1];
    EXPECT_EQ(optimizer->iterations(), 500);
  }
}

TEST(BasicOptimizer, RejectsMismatchedOrResizedParameters) {
  auto adam = make_basic_optimizer<double>("adam", nlohmann::json::object());
  std::vector<double> p = {1, 2}, g = {1};
  EXPECT_THAT([&] { adam->step(p, g); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::HasSubstr("parameter 0 has 2 values but a gradient of 1")));
  g = {1, 1};
  adam->step(p, g);
  std::vector<double> q = {1, 2, 3}, h = {1, 1, 1};
  EXPECT_THAT([&] { adam->step(q, h); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::HasSubstr("parameter 0 changed size from 2 to 3")));
}

}  // namespace
}  // namespace descent
