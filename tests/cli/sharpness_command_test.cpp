#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "data/synthetic.h"
#include "symmetric_eigenvalues.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// λmax of the mean squared error of a linear model on the first n samples of `--data linear`
// (the CLI's synthetic regression set: 2000 samples of 3 features, seed 42).
double exact_linear_lambda_max(std::size_t n) {
  const std::array<double, 3> coefficients{2.0, -3.0, 0.5};
  const Dataset data = linear_regression(2000, coefficients, 1.0, 0.1, 42);
  return largest_eigenvalue(linear_least_squares_hessian(data.values, n, 3));
}

int count_lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(SharpnessCommand, LinearLeastSquaresMatchesTheExactEigenvalue) {
  const fs::path out = fresh_dir("sharpness_linear") / "run";
  const CommandResult r = run_descent(
      "sharpness --data linear --model linear --loss mse --optimizer sgd --lr 0.1 --json --out " +
      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("sharpness: iteration"));  // progress on stderr
  const auto result = last_json_line(r.output);
  const double exact = exact_linear_lambda_max(2000);
  const double lambda = result["lambda_max"].get<double>();
  EXPECT_LT(std::abs(lambda - exact) / exact, 0.01) << lambda << " vs " << exact;
  EXPECT_DOUBLE_EQ(result["lr_bound"].get<double>(), 2.0 / lambda);
  EXPECT_EQ(result["momentum"], 0.0);
  EXPECT_DOUBLE_EQ(result["lr_bound_momentum"].get<double>(), 2.0 / lambda);
  EXPECT_EQ(result["samples"], 2000);
  EXPECT_EQ(result["converged"], true);
  EXPECT_EQ(result["estimates"].size(), result["iterations"].get<std::size_t>());
  EXPECT_EQ(result["optimizer"], "sgd");
  EXPECT_DOUBLE_EQ(result["lr"].get<double>(), 0.1);
  EXPECT_EQ(result["run_dir"], out.string());
  EXPECT_THAT(result["method"].get<std::string>(), HasSubstr("exact Hessian-vector products"));
  for (const char* file : {"config.json", "sharpness.json", "sharpness.csv", "sharpness.png",
                           "sharpness.svg", "results.json"})
    EXPECT_TRUE(fs::exists(out / file)) << file;
  const auto saved = nlohmann::json::parse(std::ifstream(out / "sharpness.json"));
  EXPECT_EQ(saved["lambda_max"], result["lambda_max"]);
  const auto config = nlohmann::json::parse(std::ifstream(out / "config.json"));
  EXPECT_EQ(config["loss"], "mean_squared_error");
  EXPECT_EQ(config["sharpness"]["samples"], 2000);
  EXPECT_EQ(config["sharpness"]["method"], "exact");
  EXPECT_FALSE(config.contains("epochs"));
}

TEST(SharpnessCommand, EachMethodByNameAndAnUnknownOneRefused) {
  for (const char* method : {"finite-difference", "gauss-newton"}) {
    const fs::path out = fresh_dir(std::string("sharpness_method_") + method) / "run";
    const CommandResult r = run_descent(
        "sharpness --data linear --model linear --loss mse --samples 500 --json --quiet --method " +
        std::string(method) + " --out " + out.string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(last_json_line(r.output)["curvature"], method);
    EXPECT_LT(std::abs(last_json_line(r.output)["lambda_max"].get<double>() -
                       exact_linear_lambda_max(500)) /
                  exact_linear_lambda_max(500),
              0.01);
  }
  const CommandResult bad = run_descent("sharpness --data linear --model linear --method hessian");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(
      bad.output,
      HasSubstr("--method must be exact, finite-difference or gauss-newton, got 'hessian'"));
}

TEST(SharpnessCommand, TextReportAndFirstSamples) {
  const fs::path out = fresh_dir("sharpness_text") / "run";
  const CommandResult r = run_descent(
      "sharpness --data linear --model linear --optimizer sgd --lr 0.1 --momentum 0.5 "
      "--samples 300 --iters 400 --tol 1e-9 --quiet --out " +
      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, Not(HasSubstr("sharpness: iteration")));
  const auto result = nlohmann::json::parse(std::ifstream(out / "results.json"));
  const double lambda = result["lambda_max"].get<double>(), exact = exact_linear_lambda_max(300);
  EXPECT_LT(std::abs(lambda - exact) / exact, 0.01) << lambda << " vs " << exact;
  EXPECT_EQ(result["samples"], 300);
  EXPECT_DOUBLE_EQ(result["lr_bound_momentum"].get<double>(), 3.0 / lambda);
  EXPECT_THAT(r.output, StartsWith("λmax = "));
  EXPECT_THAT(r.output, HasSubstr("Plain gradient descent is stable on the local quadratic model "
                                  "for η < 2/λmax = "));
  EXPECT_THAT(r.output, HasSubstr("With heavy-ball momentum μ = 0.5: η < 2(1+μ)/λmax = "));
  EXPECT_THAT(r.output, HasSubstr("The optimizer's η = 0.1 is "));
  EXPECT_THAT(r.output, HasSubstr("Run directory: " + out.string() + "\n"));
}

TEST(SharpnessCommand, TrainedRunTakesItsModelAndMomentum) {
  const fs::path dir = fresh_dir("sharpness_run");
  const CommandResult trained = run_descent(
      "train --data linear --model linear --optimizer sgd --lr 0.05 --momentum 0.9 "
      "--epochs 1 --quiet --out " +
      (dir / "train").string());
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const CommandResult r =
      run_descent("sharpness --run " + (dir / "train").string() +
                  " --batch-size 500 --json --quiet --out " + (dir / "sharpness").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = nlohmann::json::parse(r.output);
  // Least squares: the Hessian is the same at every weight, trained or not.
  const double lambda = result["lambda_max"].get<double>(), exact = exact_linear_lambda_max(2000);
  EXPECT_LT(std::abs(lambda - exact) / exact, 0.01);
  EXPECT_DOUBLE_EQ(result["momentum"].get<double>(), 0.9);
  EXPECT_DOUBLE_EQ(result["lr_bound_momentum"].get<double>(), 3.8 / lambda);
  const auto config = nlohmann::json::parse(std::ifstream(dir / "sharpness" / "config.json"));
  EXPECT_EQ(config["sharpness"]["run"], (dir / "train").string());
  EXPECT_EQ(config["sharpness"]["batch_size"], 500);

  const CommandResult mixed = run_descent("sharpness --run " + (dir / "train").string() +
                                          " --model mlp:8 --out " + (dir / "x").string());
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_THAT(mixed.output, StartsWith("descent: error: "));
  EXPECT_THAT(mixed.output, HasSubstr("--run"));
  EXPECT_THAT(mixed.output, HasSubstr("--model"));
  EXPECT_EQ(count_lines(mixed.output), 1);
}

TEST(SharpnessCommand, RejectsBadInput) {
  const fs::path dir = fresh_dir("sharpness_bad");
  const std::string base = "sharpness --data linear --model linear --out " + (dir / "run").string();
  const auto expect_error = [](const CommandResult& r, int code, const std::string& text) {
    EXPECT_EQ(r.exit_code, code) << r.output;
    EXPECT_THAT(r.output, StartsWith("descent: error: "));
    EXPECT_THAT(r.output, HasSubstr(text));
    EXPECT_EQ(count_lines(r.output), 1) << r.output;
  };
  expect_error(run_descent(base + " --samples -1"), 2, "--samples");
  expect_error(run_descent(base + " --samples 2001"), 2, "--samples");
  expect_error(run_descent(base + " --iters 0"), 2, "--iters");
  expect_error(run_descent(base + " --tol -1"), 2, "--tol");
  expect_error(run_descent(base + " --batch-size 0"), 2, "--batch-size");
  expect_error(run_descent(base + " --momentum nan"), 2, "--momentum");
  expect_error(run_descent(base + " --momentum 1"), 2, "--momentum");
  expect_error(run_descent(base + " --epochs 3"), 2, "--epochs");
  expect_error(run_descent("sharpness --run " + (dir / "missing").string()), 4, "missing");
  EXPECT_FALSE(fs::exists(dir / "run"));
  write_file(dir / "keep.txt", "mine");
  expect_error(run_descent("sharpness --data linear --model linear --quiet --out " + dir.string()),
               2, dir.string());
}

TEST(SharpnessCommand, Help) {
  const CommandResult r = run_descent("sharpness --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("--run"));
  EXPECT_THAT(r.output, HasSubstr("--samples"));
  EXPECT_THAT(r.output, Not(HasSubstr("--epochs")));
}

}  // namespace
}  // namespace descent::testing
