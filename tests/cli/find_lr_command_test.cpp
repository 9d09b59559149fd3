#include <algorithm>
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
using ::testing::StartsWith;

const std::string kSmall = "find-lr --data moons --model mlp:16 --optimizer sgd --batch-size 16 ";

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(FindLrCommand, JsonResultAndRunDirectory) {
  const fs::path dir = fresh_dir("find_lr_json");
  const CommandResult r = run_descent(kSmall + "--json --quiet --out " + (dir / "run").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = nlohmann::json::parse(r.output);  // the only output: one JSON object
  EXPECT_EQ(result["suggested"]["rule"], "valley");
  const double lr = result["suggested"]["lr"].get<double>();
  EXPECT_GT(lr, 1e-7);
  EXPECT_LT(lr, 10);
  EXPECT_FALSE(result["suggested"]["reason"].get<std::string>().empty());
  EXPECT_TRUE(result["suggestions"].contains("minimum"));
  EXPECT_EQ(result["suggestions"]["valley"]["lr"], result["suggested"]["lr"]);
  EXPECT_EQ(result["iters"], 100);
  EXPECT_GT(result["steps"].get<int>(), 10);
  EXPECT_FALSE(result["stopped"].get<std::string>().empty());
  EXPECT_EQ(result["run_dir"], (dir / "run").string());

  for (const char* file : {"config.json", "lr_finder.json", "lr_finder.csv", "lr_finder.png",
                           "lr_finder.svg", "results.json"})
    EXPECT_TRUE(fs::exists(dir / "run" / file)) << file;
  EXPECT_EQ(read_json(dir / "run" / "results.json"), result);
  const auto finder = read_json(dir / "run" / "lr_finder.json");
  EXPECT_EQ(finder["curve"]["lr"].size(), result["steps"].get<std::size_t>());
  EXPECT_EQ(finder["suggested"]["lr"], result["suggested"]["lr"]);
  EXPECT_EQ(finder["options"]["batch_size"], 16);
  const auto config = read_json(dir / "run" / "config.json");
  EXPECT_EQ(config["find_lr"]["suggest"], "valley");
  EXPECT_EQ(config["optimizer"]["name"], "sgd");
  EXPECT_FALSE(config.contains("epochs"));
  std::ifstream csv(dir / "run" / "lr_finder.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "step,lr,loss,smoothed");
}

TEST(FindLrCommand, TextSummaryAndProgress) {
  const fs::path dir = fresh_dir("find_lr_text");
  const CommandResult r =
      run_descent(kSmall + "--suggest steep --iters 50 --out " + dir.string() + " --overwrite");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Range test of mlp:16 on moons"));
  EXPECT_THAT(r.output, HasSubstr("Range test 50/50"));  // the progress line
  EXPECT_THAT(r.output, HasSubstr("Range test: 50 of 50 steps, η 1e-07 to 10 (exponential)"));
  EXPECT_THAT(r.output, HasSubstr("Stopped: "));
  EXPECT_THAT(r.output, HasSubstr("Suggested η = "));
  EXPECT_THAT(r.output, HasSubstr("(steep): centre of the steepest fall"));
  EXPECT_THAT(r.output, HasSubstr("Other rules: minimum η = "));
  EXPECT_THAT(r.output, HasSubstr("Run directory: " + dir.string() + "\n"));
}

TEST(FindLrCommand, ValidationLossFromTheTestSetOrTheSplit) {
  const fs::path dir = fresh_dir("find_lr_val");
  CommandResult r =
      run_descent(kSmall + "--val --iters 30 --json --quiet --out " + (dir / "test").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto finder = read_json(dir / "test" / "lr_finder.json");
  EXPECT_EQ(finder["curve"]["val_loss"].size(), finder["curve"]["lr"].size());
  EXPECT_EQ(read_json(dir / "test" / "config.json")["find_lr"]["validation"], "test set");

  r = run_descent(kSmall + "--val --validation-split 0.2 --iters 30 --json --quiet --out " +
                  (dir / "split").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  finder = read_json(dir / "split" / "lr_finder.json");
  EXPECT_EQ(finder["curve"]["val_loss"].size(), finder["curve"]["lr"].size());
  EXPECT_EQ(read_json(dir / "split" / "config.json")["find_lr"]["validation"], "validation split");
  std::ifstream csv(dir / "split" / "lr_finder.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "step,lr,loss,smoothed,val_loss");
}

TEST(FindLrCommand, LinearModeOverSeveralEpochsOfSmallData) {
  const fs::path dir = fresh_dir("find_lr_linear");
  // moons has 2000 samples: 8 batches of 256, so 20 steps take 3 epochs.
  const CommandResult r = run_descent(
      "find-lr --data moons --model mlp:16 --optimizer sgd --batch-size 256 --mode "
      "linear --start 0.001 --end 0.5 --iters 20 --json --out " +
      dir.string() + " --overwrite");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto finder = read_json(dir / "lr_finder.json");
  EXPECT_EQ(finder["options"]["mode"], "linear");
  EXPECT_EQ(finder["options"]["iters"], 20);
  EXPECT_EQ(finder["options"]["epochs"], 3);
  EXPECT_EQ(finder["curve"]["lr"].size(), 20u);
  EXPECT_DOUBLE_EQ(finder["curve"]["lr"][1].get<double>(), 0.001 + 0.499 / 19);
  EXPECT_EQ(last_json_line(r.output)["epochs"], 3);
}

// One line on stderr, "descent: error: ...", and the exit code of the kind of mistake.
void expect_error(const std::string& arguments, int code, const std::string& message) {
  const CommandResult r = run_descent(arguments);
  EXPECT_EQ(r.exit_code, code) << arguments << "\n" << r.output;
  EXPECT_THAT(r.output, StartsWith("descent: error: ")) << arguments;
  EXPECT_THAT(r.output, HasSubstr(message)) << arguments;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST(FindLrCommand, BadInput) {
  const fs::path dir = fresh_dir("find_lr_bad");
  const std::string out = " --quiet --out " + (dir / "run").string();
  expect_error(kSmall + "--start 0" + out, 2, "--start must be finite and > 0, got 0");
  expect_error(kSmall + "--start -1e-3" + out, 2, "--start must be finite and > 0");
  expect_error(kSmall + "--start nan" + out, 2, "--start");
  expect_error(kSmall + "--start 1e-3 --end 1e-4" + out, 2, "--end must be finite and above");
  expect_error(kSmall + "--end inf" + out, 2, "--end");
  expect_error(kSmall + "--iters 1" + out, 2, "--iters must be >= 2");
  expect_error(kSmall + "--mode cubic" + out, 2, "--mode must be exp or linear, got 'cubic'");
  expect_error(kSmall + "--beta 1" + out, 2, "--beta must be in [0, 1)");
  expect_error(kSmall + "--diverge-factor 0.5" + out, 2, "--diverge-factor");
  expect_error(kSmall + "--suggest fastest" + out, 2,
               "--suggest must be steep, minimum or valley, got 'fastest'");
  expect_error(kSmall + "--lr 0.1" + out, 2, "--lr");  // the test sets η itself
  expect_error(kSmall + "--epochs 3" + out, 2, "--epochs");
  expect_error(kSmall + "--schedule StepLR" + out, 2, "--schedule");
  expect_error("find-lr --data " + (dir / "missing.csv").string() + out, 4, "missing.csv");
  expect_error(kSmall + "--iters" + out, 2, "--iters");
  EXPECT_FALSE(fs::exists(dir / "run"));
  write_file(dir / "one.csv", "x,y\n1,0\n");
  expect_error("find-lr --data " + (dir / "one.csv").string() + " --label y --model mlp:4" + out, 2,
               "a range test needs at least 2");

  fs::create_directories(dir / "mine");
  write_file(dir / "mine" / "keep.txt", "mine");
  expect_error(kSmall + "--quiet --out " + (dir / "mine").string(), 2, "not empty");
  EXPECT_TRUE(fs::exists(dir / "mine" / "keep.txt"));
}

TEST(FindLrCommand, NoSuggestionWhenTheLossBlowsUpAtOnceExitsAsDiverged) {
  const fs::path dir = fresh_dir("find_lr_diverged");
  expect_error(
      kSmall + "--start 1e12 --end 1e20 --iters 40 --quiet --out " + dir.string() + " --overwrite",
      5, "no η to suggest");
}

TEST(FindLrCommand, ValWithoutHeldOutDataIsAnError) {
  const fs::path dir = fresh_dir("find_lr_noval");
  write_file(dir / "d.csv", "x,y\n0,0\n1,1\n2,0\n3,1\n4,0\n5,1\n6,0\n7,1\n");
  expect_error("find-lr --data " + (dir / "d.csv").string() +
                   " --model mlp:4 --batch-size 2 --val --quiet --out " + (dir / "run").string(),
               2, "--val needs held-out data");
}

TEST(FindLrCommand, Help) {
  const CommandResult r = run_descent("find-lr --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--start", "--end", "--iters", "--mode", "--beta", "--diverge-factor",
                           "--suggest", "--val", "--out", "--json", "--quiet", "--optimizer"})
    EXPECT_THAT(r.output, HasSubstr(flag));
}

}  // namespace
}  // namespace descent::testing
