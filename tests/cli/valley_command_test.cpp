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

TEST(ValleyCommand, LabelsTheQuadraticAndPrintsTheBound) {
  const fs::path dir = fresh_dir("valley_ok");
  const CommandResult r =
      run_descent("valley --function quadratic --a 1 --lrs 0.5,1.5,2.5 --out " +
                  (dir / "run").string() + " --csv " + (dir / "t.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("η < 2/a = 2\n"));
  EXPECT_THAT(r.output, HasSubstr("η = 0.5      converged"));
  EXPECT_THAT(r.output, HasSubstr("η = 1.5      oscillating"));
  EXPECT_THAT(r.output, HasSubstr("η = 2.5      diverged"));
  for (const char* file : {"trajectory.csv", "valley.png", "valley.svg", "results.json"})
    EXPECT_TRUE(fs::exists(dir / "run" / file)) << file;
  std::ifstream csv(dir / "t.csv");
  std::string header, first;
  std::getline(csv, header);
  std::getline(csv, first);
  EXPECT_EQ(header, "step,x,f,grad_norm,lr");
  EXPECT_EQ(first, "0,1,0.5,1,0.5");
}

TEST(ValleyCommand, JsonWithMomentum) {
  const fs::path dir = fresh_dir("valley_json");
  const CommandResult r = run_descent(
      "valley --function quadratic --a 2 --momentum 0.9 --lrs 1,1.8,2 --steps 100 --json --out " +
      (dir / "run").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = nlohmann::json::parse(r.output);
  EXPECT_DOUBLE_EQ(result["bound"].get<double>(), 1.9);
  ASSERT_EQ(result["runs"].size(), 3u);
  EXPECT_EQ(result["runs"][0]["label"], "oscillating");
  EXPECT_EQ(result["runs"][1]["label"], "oscillating");
  EXPECT_EQ(result["runs"][2]["label"], "diverged");
  EXPECT_TRUE(result["runs"][2]["final_f"].is_number() || result["runs"][2]["final_f"].is_null());
}

TEST(ValleyCommand, TwoDimensionalFunction) {
  const fs::path dir = fresh_dir("valley_2d");
  const CommandResult r = run_descent(
      "valley --function rosenbrock --start -1.5,2 --optimizer adam --lrs 0.05,0.2 --json --out " +
      (dir / "run").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = nlohmann::json::parse(r.output);
  EXPECT_TRUE(result["bound"].is_null());
  EXPECT_EQ(result["runs"][0]["final_x"].size(), 2u);
}

TEST(ValleyCommand, RejectsBadInput) {
  const fs::path dir = fresh_dir("valley_bad");
  const std::string out = " --out " + (dir / "run").string();
  CommandResult r = run_descent("valley --lrs 0.5,-1" + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("--lrs expects finite, positive numbers"));
  EXPECT_THAT(r.output, HasSubstr("'-1'"));
  EXPECT_EQ(run_descent("valley --lrs 0.5,nan" + out).exit_code, 2);
  EXPECT_EQ(run_descent("valley --lrs 0.5,,1" + out).exit_code, 2);
  r = run_descent("valley --function parabola" + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("unknown function 'parabola'"));
  r = run_descent("valley --function beale --start 1" + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("2 coordinate(s)"));
  EXPECT_EQ(run_descent("valley --optimizer adam --momentum 0.9" + out).exit_code, 2);
  EXPECT_FALSE(fs::exists(dir / "run"));
  write_file(dir / "keep.txt", "mine");
  r = run_descent("valley --out " + dir.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("--overwrite"));
}

}  // namespace
}  // namespace descent::testing
