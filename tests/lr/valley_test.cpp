#include "lr/valley.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

std::vector<ValleyLabel> labels(const ValleyFunction& f, std::vector<double> start,
                                std::vector<double> lrs, const nlohmann::json& h = {},
                                int steps = 50, const char* optimizer = "sgd") {
  std::vector<ValleyLabel> out;
  for (double lr : lrs)
    out.push_back(run_valley(f, start, steps, optimizer, h, lr).label);
  return out;
}

TEST(Valley, SgdOnTheQuadraticIsTheGeometricSequence) {
  for (double a : {1.0, 3.0}) {
    const ValleyFunction f("quadratic", a);
    const double x0 = 1.7, lr = 0.5;
    const ValleyRun run = run_valley(f, std::vector<double>{x0}, 50, "sgd", {}, lr);
    ASSERT_EQ(run.points.size(), 51u);
    for (const auto& p : run.points) {
      const double expected = std::pow(1.0 - lr * a, p.step) * x0;
      EXPECT_NEAR(p.x[0], expected, 1e-15) << "a " << a << " step " << p.step;
      EXPECT_NEAR(p.f, 0.5 * a * expected * expected, 1e-15);
      EXPECT_NEAR(p.grad_norm, std::abs(a * expected), 1e-15);
    }
  }
}

TEST(Valley, QuadraticLabelsAndBound) {
  const ValleyFunction f("quadratic", 1.0);
  EXPECT_EQ(labels(f, {1.0}, {0.5, 1.5, 2.5}),
            (std::vector{ValleyLabel::converged, ValleyLabel::oscillating, ValleyLabel::diverged}));
  EXPECT_DOUBLE_EQ(*stable_lr_bound(f, "sgd", {{"momentum", 0.0}}), 2.0);
  EXPECT_DOUBLE_EQ(*stable_lr_bound(ValleyFunction("quadratic", 4.0), "sgd", {}), 0.5);
  EXPECT_FALSE(stable_lr_bound(f, "adam", {}).has_value());
  EXPECT_FALSE(stable_lr_bound(ValleyFunction("quartic"), "sgd", {}).has_value());
  // Ten steps at η = 2.5 leave f below the blow-up limit, but f has grown: diverged.
  EXPECT_EQ(labels(f, {1.0}, {2.5}, {}, 10), std::vector{ValleyLabel::diverged});
  EXPECT_EQ(labels(f, {1.0}, {1e-7}), std::vector{ValleyLabel::barely_moved});
  EXPECT_EQ(labels(f, {1.0}, {0.01}), std::vector{ValleyLabel::slow});
  EXPECT_EQ(labels(f, {0.0}, {0.5}), std::vector{ValleyLabel::converged});
}

TEST(Valley, MomentumBoundMatchesTheLabels) {
  const ValleyFunction f("quadratic", 2.0);
  const nlohmann::json h = {{"momentum", 0.9}};
  const double bound = *stable_lr_bound(f, "sgd", h);
  EXPECT_DOUBLE_EQ(bound, 2.0 * 1.9 / 2.0);
  const auto got = labels(f, {1.0}, {0.5, 0.9 * bound, 1.1 * bound}, h, 100);
  EXPECT_EQ(got, (std::vector{ValleyLabel::oscillating, ValleyLabel::oscillating,
                              ValleyLabel::diverged}));
  // Above the plain-GD bound 2/a = 1 but below 2(1+μ)/a: momentum still converges.
  EXPECT_NE(labels(f, {1.0}, {1.5}, h, 100)[0], ValleyLabel::diverged);
  EXPECT_EQ(labels(f, {1.0}, {1.5}, {}, 100)[0], ValleyLabel::diverged);
  EXPECT_DOUBLE_EQ(*stable_lr_bound(f, "sgd", {{"momentum", 0.5}, {"nesterov", true}}),
                   2.0 * 1.5 / (2.0 * 2.0));
}

TEST(Valley, ElongatedBoundIsSetByTheSteepestDirection) {
  const ValleyFunction f("elongated", 1.0, 10.0);
  EXPECT_DOUBLE_EQ(*stable_lr_bound(f, "sgd", {}), 0.2);
  EXPECT_EQ(labels(f, {1.0, 1.0}, {0.21})[0], ValleyLabel::diverged);
  EXPECT_EQ(labels(f, {1.0, 1.0}, {0.19}, {}, 200)[0], ValleyLabel::oscillating);
  EXPECT_EQ(labels(f, {1.0, 1.0}, {0.05}, {}, 400)[0], ValleyLabel::converged);
}

TEST(Valley, GradientsMatchFiniteDifferences) {
  for (auto name : valley_function_names()) {
    const ValleyFunction f(name, 1.5, 4.0);
    std::vector<double> x = f.dims() == 1 ? std::vector{0.7} : std::vector{0.7, -0.4};
    std::vector<double> g(f.dims());
    f.gradient(x, g);
    for (std::size_t i = 0; i < f.dims(); ++i) {
      const double h = 1e-6;
      auto plus = x, minus = x;
      plus[i] += h;
      minus[i] -= h;
      EXPECT_NEAR(g[i], (f.value(plus) - f.value(minus)) / (2 * h), 1e-5 * (1 + std::abs(g[i])))
          << name << " " << i;
    }
    for (const auto& m : f.minima())
      EXPECT_NEAR(f.value(m), 0.0, 1e-12) << name;
  }
}

TEST(Valley, OtherFunctionsAndOptimizers) {
  EXPECT_EQ(labels(ValleyFunction("double-well"), {2.0}, {0.01}, {}, 200)[0],
            ValleyLabel::converged);
  EXPECT_EQ(labels(ValleyFunction("himmelblau"), {0.0, 0.0}, {0.01}, {}, 200)[0],
            ValleyLabel::converged);
  const ValleyRun adam =
      run_valley(ValleyFunction("rosenbrock"), std::vector{-1.5, 2.0}, 30, "adam", {}, 0.1);
  EXPECT_EQ(adam.points.size(), 31u);
  EXPECT_LT(adam.points.back().f, adam.points.front().f);
}

TEST(Valley, RejectsBadArguments) {
  EXPECT_THROW(ValleyFunction("parabola"), InvalidArgument);
  EXPECT_THROW(ValleyFunction("quadratic", -1.0), InvalidArgument);
  const ValleyFunction f("quadratic");
  EXPECT_THROW(run_valley(f, std::vector{1.0, 2.0}, 10, "sgd", {}, 0.1), InvalidArgument);
  EXPECT_THROW(run_valley(f, std::vector{1.0}, 10, "sgd", {}, 0.0), InvalidArgument);
  EXPECT_THROW(run_valley(f, std::vector{1.0}, 10, "sgd", {}, NAN), InvalidArgument);
  EXPECT_THROW(run_valley(f, std::vector{1.0}, 0, "sgd", {}, 0.1), InvalidArgument);
  EXPECT_THROW(run_valley(f, std::vector{1.0}, 10, "nope", {}, 0.1), InvalidArgument);
}

TEST(Valley, WritesCsv) {
  const ValleyFunction f("elongated");
  std::vector<ValleyRun> runs;
  for (double lr : {0.1, 0.3})
    runs.push_back(run_valley(f, std::vector{1.0, 1.0}, 5, "sgd", {}, lr));
  const auto path = std::filesystem::temp_directory_path() / "descent_valley_test.csv";
  write_valley_csv(f, runs, path);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "step,x,y,f,grad_norm,lr");
  std::getline(in, line);
  EXPECT_EQ(line, "0,1,1,5.5,10.04987562112089,0.10000000000000001");
}

}  // namespace
}  // namespace descent
