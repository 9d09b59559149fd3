// `--scale standard|minmax|none`: fitted on the training split only, kept in config.json's data,
// and applied by every command that reads the run (evaluate and predict give the figures of the
// training process itself).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using json = nlohmann::json;

// 40 rows like a tabular file brings them: `small` in [0, 1], `large` in the thousands, `constant`
// always 7. The last 10 (the tail --validation-split 0.25 holds out) have `large` near 100,000.
// The test set has 10 rows like the first ones.
struct TabularFiles {
  fs::path train, test;
};

TabularFiles write_tabular(const fs::path& dir) {
  std::string train = "small,large,constant,label\n", test = train;
  for (int i = 0; i < 40; ++i)
    train += fmt::format("{},{},7,{}\n", 0.25 * (i % 5), i < 30 ? 1000 + 37 * i : 100000 + i,
                         i % 5 >= 3 ? 1 : 0);
  for (int i = 0; i < 10; ++i)
    test += fmt::format("{},{},7,{}\n", 0.25 * ((i + 2) % 5), 1000 + 50 * i, (i + 2) % 5 >= 3);
  write_file(dir / "train.csv", train);
  write_file(dir / "test.csv", test);
  return {dir / "train.csv", dir / "test.csv"};
}

json config_of(const fs::path& run) {
  return json::parse(std::ifstream(run / "config.json"));
}

std::string tabular_flags(const TabularFiles& files) {
  return "--data " + files.train.string() + " --test " + files.test.string() +
         " --model mlp:8 --lr 0.01 --epochs 3 --batch-size 8 --validation-split 0.25 --seed 1";
}

// The mean softmax cross-entropy of predict's logits (output_0, output_1) against `labels`.
double cross_entropy_of_predictions(const fs::path& csv, const std::vector<int>& labels) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  double total = 0;
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string index, prediction, z0, z1;
    std::getline(fields, index, ',');
    std::getline(fields, prediction, ',');
    std::getline(fields, z0, ',');
    std::getline(fields, z1, ',');
    const double a = std::stod(z0), b = std::stod(z1), high = std::max(a, b);
    const double log_sum = high + std::log(std::exp(a - high) + std::exp(b - high));
    total += log_sum - (labels.at(rows) == 1 ? b : a);
    ++rows;
  }
  return total / static_cast<double>(rows);
}

TEST(Scale, StandardIsFittedOnTheTrainingSplitAndSavedInTheRun) {
  const fs::path dir = fresh_dir("scale_fit");
  const TabularFiles files = write_tabular(dir);
  const CommandResult r = run_descent("train --quiet --scale standard " + tabular_flags(files) +
                                      " --out " + (dir / "run").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const json data = config_of(dir / "run")["data"];
  EXPECT_EQ(data["scale"], "standard");
  EXPECT_EQ(data["scaler"]["kind"], "standardize");
  // The first 30 rows only (by hand; numpy's x[:30].mean(0) and .std(0) agree): with the tail,
  // large's mean would be 26161.
  EXPECT_DOUBLE_EQ(data["scaler"]["mean"][0].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(data["scaler"]["mean"][1].get<double>(), 1536.5);
  EXPECT_NEAR(data["scaler"]["std"][0].get<double>(), std::sqrt(0.125), 1e-12);
  EXPECT_NEAR(data["scaler"]["std"][1].get<double>(), 37.0 * std::sqrt(899.0 / 12.0), 1e-9);
  EXPECT_EQ(data["scaler"]["std"][2].get<double>(), 1.0);  // constant: scale 1, no NaN
  // The flags keep the choice, not the fitted figures: --resume fits again on the same rows.
  EXPECT_EQ(config_of(dir / "run")["flags"]["data"]["scale"], "standard");
  EXPECT_FALSE(config_of(dir / "run")["flags"]["data"].contains("scaler"));
}

TEST(Scale, EvaluateAndPredictApplyTheRunsScaler) {
  const fs::path dir = fresh_dir("scale_apply");
  const TabularFiles files = write_tabular(dir);
  const fs::path run = dir / "run";
  const CommandResult trained = run_descent("train --json --quiet --scale standard " +
                                            tabular_flags(files) + " --out " + run.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const double test_loss = last_json_line(trained.output)["test"]["loss"].get<double>();

  // The run's own test set, and the same file named on the command line as plain data.
  for (const std::string& data : {std::string(), " --data " + files.test.string()}) {
    const CommandResult evaluated =
        run_descent("evaluate " + run.string() + " --json --batch-size 8" + data);
    ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
    EXPECT_NEAR(last_json_line(evaluated.output)["loss"].get<double>(), test_loss, 1e-6 * test_loss)
        << data;
  }

  const fs::path predictions = dir / "predictions.csv";
  const CommandResult predicted =
      run_descent("predict " + run.string() + " -o " + predictions.string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  std::vector<int> labels;
  for (int i = 0; i < 10; ++i)
    labels.push_back((i + 2) % 5 >= 3);
  // predict writes 6 significant digits: the loss of its logits matches to about 1e-5.
  EXPECT_NEAR(cross_entropy_of_predictions(predictions, labels), test_loss, 1e-4);
}

TEST(Scale, ARunWhoseFittedScalerIsMissingIsRefused) {
  const fs::path dir = fresh_dir("scale_missing");
  const TabularFiles files = write_tabular(dir);
  const fs::path run = dir / "run";
  ASSERT_EQ(
      run_descent("train --quiet --scale minmax " + tabular_flags(files) + " --out " + run.string())
          .exit_code,
      0);
  json config = config_of(run);
  EXPECT_EQ(config["data"]["scaler"]["kind"], "minmax");
  EXPECT_EQ(config["data"]["scaler"]["max"][1], 1000 + 37 * 29);  // the training split's
  config["data"].erase("scaler");
  std::ofstream(run / "config.json") << config.dump();
  const CommandResult r = run_descent("evaluate " + run.string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("data.scale is minmax but data.scaler, the fitted scaler, is "
                                  "missing"));

  // A run from before --scale has no "scale" at all: unscaled, as it was trained.
  config["data"].erase("scale");
  std::ofstream(run / "config.json") << config.dump();
  EXPECT_EQ(run_descent("evaluate " + run.string()).exit_code, 0);
}

TEST(Scale, EveryTrainingCommandFitsOnItsTrainingSplit) {
  const fs::path dir = fresh_dir("scale_commands");
  const TabularFiles files = write_tabular(dir);
  const std::string data = "--data " + files.train.string() +
                           " --model mlp:4 --batch-size 2 --validation-split 0.25 --scale standard"
                           " --quiet --out ";
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"find-lr --iters 5 ", "find-lr"},
      {"sweep --lrs 0.001,0.01 --epochs 1 ", "sweep"},
      {"tune --finder-iters 5 --sweep-points 2 --epochs 1 ", "tune"},
      {"sharpness --iters 3 ", "sharpness"}};
  for (const auto& [command, name] : commands) {
    const CommandResult r = run_descent(command + data + (dir / name).string());
    ASSERT_EQ(r.exit_code, 0) << command << r.output;
    const json scaler = config_of(dir / name)["data"]["scaler"];
    EXPECT_DOUBLE_EQ(scaler["mean"][1].get<double>(), 1536.5) << command;
  }
  // tune's final run is a run directory like train's: evaluate reads its scaler.
  const json final_config = config_of(dir / "tune" / "final");
  EXPECT_DOUBLE_EQ(final_config["data"]["scaler"]["mean"][1].get<double>(), 1536.5);
  const CommandResult evaluated =
      run_descent("evaluate " + (dir / "tune" / "final").string() + " --json");
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.output;
}

// sharpness --run probes the run's weights on its training data as the run saw it: through the
// saved scaler. With the scaler replaced by the identity, the same weights see `large` in the
// thousands (saturated outputs) and λmax comes out far from the scaled one.
TEST(Scale, SharpnessOfARunUsesItsScaler) {
  const fs::path dir = fresh_dir("scale_sharpness");
  const TabularFiles files = write_tabular(dir);
  const fs::path run = dir / "run";
  ASSERT_EQ(run_descent("train --quiet --scale standard " + tabular_flags(files) + " --out " +
                        run.string())
                .exit_code,
            0);
  const auto lambda_max = [&](const std::string& name) {
    const CommandResult r = run_descent("sharpness --json --quiet --iters 30 --run " +
                                        run.string() + " --out " + (dir / name).string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return last_json_line(r.output)["lambda_max"].get<double>();
  };
  const double scaled = lambda_max("scaled");
  json config = config_of(run);
  config["data"]["scaler"]["mean"] = {0.0, 0.0, 0.0};
  config["data"]["scaler"]["std"] = {1.0, 1.0, 1.0};
  std::ofstream(run / "config.json") << config.dump();
  const double unscaled = lambda_max("unscaled");
  EXPECT_GT(std::abs(unscaled - scaled), 0.5 * scaled) << scaled << " " << unscaled;
}

TEST(Scale, DefaultIsNone) {
  const fs::path dir = fresh_dir("scale_default");
  const TabularFiles files = write_tabular(dir);
  ASSERT_EQ(
      run_descent("train --quiet " + tabular_flags(files) + " --out " + (dir / "run").string())
          .exit_code,
      0);
  const json data = config_of(dir / "run")["data"];
  EXPECT_EQ(data["scale"], "none");
  EXPECT_FALSE(data.contains("scaler"));
}

TEST(Scale, UnknownMethodIsOneLineUsageError) {
  const fs::path dir = fresh_dir("scale_bad");
  const TabularFiles files = write_tabular(dir);
  const CommandResult r = run_descent("train --quiet --scale foo " + tabular_flags(files) +
                                      " --out " + (dir / "run").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "descent: error: --scale must be standard, minmax or none, got 'foo'\n");
  EXPECT_FALSE(fs::exists(dir / "run"));
}

TEST(Scale, ImagesKeepTheirOwnScaling) {
  const fs::path dir = fresh_dir("scale_images");
  const CommandResult r = run_descent("train --quiet --data fashion-mnist --scale standard --out " +
                                      (dir / "run").string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--scale standard applies to CSV, .npy and synthetic data"));
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

}  // namespace
}  // namespace descent::testing
