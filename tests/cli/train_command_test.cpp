#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(TrainCommand, TrainsWritesTheRunDirectoryAndPrintsJson) {
  const fs::path out = fresh_dir("train_ok") / "run";
  const CommandResult r = run_descent(
      "train --data moons --model mlp:16 --optimizer sgd --lr 0.1 --momentum 0.9 "
      "--epochs 3 --batch-size 32 --validation-split 0.2 --json --out " +
      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string json_line = r.output.substr(r.output.rfind("\n{") + 1);
  const auto result = nlohmann::json::parse(json_line);
  EXPECT_EQ(result["run_dir"], out.string());
  EXPECT_GT(result["test"]["accuracy"].get<double>(), 0.8);
  EXPECT_TRUE(result["final"].contains("val_loss"));
  for (const char* file : {"config.json", "model.json", "history.json", "history.csv", "steps.csv",
                           "weights.bin", "results.json", "loss.png", "loss.svg", "lr.png"})
    EXPECT_TRUE(fs::exists(out / file)) << file;
  std::ifstream history(out / "history.csv");
  std::string header;
  std::getline(history, header);
  EXPECT_EQ(header, "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds");
  const auto config = nlohmann::json::parse(std::ifstream(out / "config.json"));
  EXPECT_EQ(config["optimizer"]["name"], "sgd");
  EXPECT_DOUBLE_EQ(config["optimizer"]["config"]["momentum"].get<double>(), 0.9);

  const CommandResult evaluated = run_descent("evaluate " + out.string() + " --json");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  const auto figures = nlohmann::json::parse(evaluated.output);
  EXPECT_NEAR(figures["accuracy"].get<double>(), result["test"]["accuracy"].get<double>(), 1e-9);

  const fs::path predictions = out.parent_path() / "predictions.csv";
  const CommandResult predicted =
      run_descent("predict " + out.string() + " --output " + predictions.string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  std::ifstream csv(predictions);
  std::getline(csv, header);
  EXPECT_EQ(header, "index,prediction,output_0,output_1");
  EXPECT_EQ(run_descent("predict " + out.string() + " --output " + predictions.string()).exit_code,
            2);
}

TEST(TrainCommand, RefusesToOverwriteARunDirectory) {
  const fs::path out = fresh_dir("train_exists");
  write_file(out / "keep.txt", "mine");
  const CommandResult r = run_descent("train --data xor --epochs 1 --quiet --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("--overwrite"));
  EXPECT_TRUE(fs::exists(out / "keep.txt"));
}

TEST(TrainCommand, OverwriteReplacesOnlyARunDirectory) {
  const fs::path out = fresh_dir("train_overwrite_mine");
  write_file(out / "keep.txt", "mine");
  const CommandResult r =
      run_descent("train --data xor --epochs 1 --quiet --overwrite --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output, "descent: error: output directory " + out.string() +
                          " is not empty and is not a descent run directory (no config.json or "
                          "results.json): --overwrite replaces only a run directory\n");
  EXPECT_TRUE(fs::exists(out / "keep.txt"));
}

// A tune over a training run's directory once failed: the report read the stale history.json
// beside the tune's results.json as one run.
TEST(TrainCommand, OverwritingARunDirectoryLeavesNothingOfTheEarlierRun) {
  const fs::path out = fresh_dir("train_overwrite_run") / "run";
  ASSERT_EQ(run_descent("train --data moons --model mlp:4 --epochs 1 --quiet --out " + out.string())
                .exit_code,
            0);
  ASSERT_TRUE(fs::exists(out / "history.json"));
  write_file(out / "notes.txt", "added after the run");
  const CommandResult r = run_descent(
      "tune --data moons --model mlp:4 --finder-iters 10 --sweep-points 2 --sweep-epochs 1 "
      "--epochs 1 --quiet --overwrite --out " +
      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(out / "history.json"));
  EXPECT_FALSE(fs::exists(out / "checkpoints"));
  EXPECT_FALSE(fs::exists(out / "notes.txt"));
  EXPECT_TRUE(fs::exists(out / "final" / "history.json"));
  EXPECT_TRUE(fs::exists(out / "report.html"));
}

TEST(TrainCommand, ScheduleDrivesEta) {
  const fs::path out = fresh_dir("train_schedule") / "run";
  const CommandResult r = run_descent(
      "train --data moons --model linear --optimizer sgd --lr 0.1 --schedule StepLR "
      "--schedule-param step_size=1 "
      "--schedule-param gamma=0.5 --schedule-interval epoch --epochs 3 --quiet --out " +
      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto history = nlohmann::json::parse(std::ifstream(out / "history.json"));
  EXPECT_DOUBLE_EQ(history["epochs"][2]["lr"].get<double>(), 0.025);
}

// A schedule given a length shorter than the run fails before the run directory exists (it used
// to fail at the step past its end, leaving a half-written run).
TEST(TrainCommand, AScheduleShorterThanTheRunIsRefusedBeforeTheRunDirectory) {
  const fs::path out = fresh_dir("train_short_schedule") / "run";
  const CommandResult r = run_descent(
      "train --data moons --model linear --batch-size 100 --epochs 2 --schedule OneCycleLR "
      "--schedule-param total_steps=10 --quiet --out " +
      out.string());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("OneCycleLR ends at step 10 but the run has"));
  EXPECT_FALSE(fs::exists(out));
}

TEST(TrainCommand, DivergedRunExitsWithItsOwnCode) {
  const fs::path out = fresh_dir("train_diverge") / "run";
  const CommandResult r = run_descent(
      "train --data linear --model linear --optimizer sgd --lr 1e4 --epochs 5 --quiet --out " +
      out.string());
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_THAT(r.output, HasSubstr("diverged"));
  EXPECT_TRUE(fs::exists(out / "history.csv"));
}

TEST(Commands, EveryCommandHasHelp) {
  for (const char* command : {"", "train", "evaluate", "predict"}) {
    const CommandResult r = run_descent(std::string(command) + " --help");
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.output, HasSubstr("Usage")) << command;
  }
}

}  // namespace
}  // namespace descent::testing
