// descent train --track-sharpness: the edge of stability on a small full-batch problem (Cohen et
// al., 2021), the files it writes, and its bad values.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct TrackedPoint {
  long step;
  double lambda_max, threshold;
};

std::vector<TrackedPoint> read_track(const fs::path& csv) {
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "step,lr,lambda_max,threshold,converged,preconditioned");
  std::vector<TrackedPoint> points;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string step, lr, lambda, threshold;
    std::getline(row, step, ',');
    std::getline(row, lr, ',');
    std::getline(row, lambda, ',');
    std::getline(row, threshold, ',');
    points.push_back({std::stol(step), std::stod(lambda), std::stod(threshold)});
  }
  return points;
}

// Full-batch gradient descent at η = 0.5 on the spirals: λmax starts near 1, rises
// (progressive sharpening) to 2/η = 4 and then hovers there instead of growing past it.
TEST(TrackSharpness, FullBatchGradientDescentRisesToTwoOverEtaAndStaysThere) {
  const fs::path out = fresh_dir("track_sharpness") / "run";
  const CommandResult r = run_descent(
      "train --data spirals --model mlp:32,32 --optimizer sgd --lr 0.5 --batch-size 100000 "
      "--epochs 400 --track-sharpness 20 --track-sharpness-samples 100000 --quiet --json --out " +
      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<TrackedPoint> points = read_track(out / "sharpness_track.csv");
  ASSERT_EQ(points.size(), 21u);  // step 0, then every 20 steps
  EXPECT_EQ(points.front().step, 0);
  EXPECT_DOUBLE_EQ(points.front().threshold, 4.0);
  EXPECT_LT(points.front().lambda_max, 0.5 * 4.0);
  std::vector<double> late;
  for (const TrackedPoint& p : points)
    if (p.step >= 200) late.push_back(p.lambda_max);
  std::sort(late.begin(), late.end());
  const double median = late[late.size() / 2];
  EXPECT_NEAR(median, 4.0, 0.15 * 4.0) << "the median λmax of steps 200-400";
  for (const char* file : {"sharpness_track.png", "sharpness_track.svg"})
    EXPECT_TRUE(fs::exists(out / file)) << file;
  const nlohmann::json result = last_json_line(r.output);
  EXPECT_EQ(result["sharpness_track"]["estimates"], 21);
  EXPECT_EQ(result["sharpness_track"]["step"], 400);
  const auto config = nlohmann::json::parse(std::ifstream(out / "config.json"));
  EXPECT_EQ(config["track_sharpness"]["every"], 20);
}

// Full-batch Adam at η = 0.01 (β1 = 0.9): the preconditioned sharpness λmax(P⁻¹H) starts far
// below (2 + 2β1)/((1 − β1)η) = 3800, rises to it and hovers there (Cohen et al., 2022). The
// first estimate is after the first tracked step: before any step Adam has no preconditioner.
TEST(TrackSharpness, FullBatchAdamsPreconditionedSharpnessRisesToItsThreshold) {
  const fs::path out = fresh_dir("track_sharpness_adam") / "run";
  const CommandResult r = run_descent(
      "train --data spirals --model mlp:32,32 --optimizer adam --lr 0.01 --batch-size 100000 "
      "--epochs 200 --track-sharpness 20 --track-sharpness-samples 100000 --quiet --json --out " +
      out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<TrackedPoint> points = read_track(out / "sharpness_track.csv");
  ASSERT_EQ(points.size(), 10u);
  EXPECT_EQ(points.front().step, 20);
  const double threshold = 3.8 / (0.1 * 0.01);
  EXPECT_NEAR(points.front().threshold, threshold, 1e-9 * threshold);
  EXPECT_LT(points.front().lambda_max, 0.3 * threshold);
  std::vector<double> late;
  for (const TrackedPoint& p : points)
    if (p.step >= 100) late.push_back(p.lambda_max);
  std::sort(late.begin(), late.end());
  EXPECT_NEAR(late[late.size() / 2], threshold, 0.15 * threshold) << "median of steps 100-200";
  const nlohmann::json result = last_json_line(r.output);
  EXPECT_EQ(result["sharpness_track"]["preconditioned"], true);
  EXPECT_EQ(result["sharpness_track"]["threshold_formula"], "(2+2β1)/((1−β1)η)");
}

// Measuring leaves the weights as they were: the trained weights are the same bytes.
TEST(TrackSharpness, TrainingIsTheSameWithAndWithoutIt) {
  const std::string flags =
      "train --data moons --model mlp:8 --optimizer sgd --momentum 0.9 --lr 0.1 --epochs 2 "
      "--quiet --out ";
  const fs::path plain = fresh_dir("track_plain") / "run";
  const fs::path tracked = fresh_dir("track_tracked") / "run";
  ASSERT_EQ(run_descent(flags + plain.string()).exit_code, 0);
  const CommandResult r = run_descent(flags + tracked.string() + " --track-sharpness 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto bytes = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(bytes(plain / "weights.bin"), bytes(tracked / "weights.bin"));
  const std::vector<TrackedPoint> points = read_track(tracked / "sharpness_track.csv");
  ASSERT_FALSE(points.empty());
  EXPECT_DOUBLE_EQ(points.front().threshold, 2.0 * 1.9 / 0.1);  // heavy ball: 2(1 + μ)/η
  EXPECT_THAT(r.output, HasSubstr("Sharpness at step"));
}

TEST(TrackSharpness, ZeroOrNegativeIsRefusedBeforeTheRunDirectory) {
  for (const char* value : {"0", "-5"}) {
    const fs::path out = fresh_dir(std::string("track_bad") + value) / "run";
    const CommandResult r = run_descent("train --data moons --epochs 1 --track-sharpness " +
                                        std::string(value) + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2) << value;
    EXPECT_THAT(r.output, HasSubstr("--track-sharpness must be >= 1 (optimizer steps between "
                                    "estimates), got " +
                                    std::string(value)));
    EXPECT_FALSE(fs::exists(out)) << value;
  }
}

}  // namespace
}  // namespace descent::testing
