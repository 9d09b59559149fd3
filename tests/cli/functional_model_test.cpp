// `--model FILE.json` with a functional graph: train writes the run, evaluate and predict read it.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "read_file.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A residual MLP; the input's shape is left to the data.
constexpr const char* kResidual = R"({
  "inputs": ["x"],
  "outputs": ["logits"],
  "layers": [
    {"name": "x", "type": "InputLayer"},
    {"name": "h", "type": "Dense", "units": 16, "activation": "tanh", "inbound": ["x"]},
    {"name": "f", "type": "Dense", "units": 16, "activation": "tanh", "inbound": ["h"]},
    {"name": "skip", "type": "Add", "inbound": ["h", "f"]},
    {"name": "logits", "type": "Dense", "units": 2, "inbound": ["skip"]}
  ]
})";

TEST(FunctionalModelFile, TrainsAndTheRunEvaluatesAndPredicts) {
  const fs::path dir = fresh_dir("functional_train");
  write_file(dir / "residual.json", kResidual);
  const fs::path out = dir / "run";
  const CommandResult r =
      run_descent("train --data moons --model " + (dir / "residual.json").string() +
                  " --optimizer adam --lr 0.01 --epochs 5 --json --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = last_json_line(r.output);
  EXPECT_GT(result["test"]["accuracy"].get<double>(), 0.8);
  const auto model = nlohmann::json::parse(std::ifstream(out / "model.json"));
  EXPECT_EQ(model["outputs"], nlohmann::json({"logits"}));
  EXPECT_EQ(model["layers"][0]["shape"], nlohmann::json({2}));
  EXPECT_TRUE(fs::exists(out / "weights.bin"));

  const CommandResult evaluated = run_descent("evaluate " + out.string() + " --json");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_NEAR(last_json_line(evaluated.output)["accuracy"].get<double>(),
              result["test"]["accuracy"].get<double>(), 1e-9);
  const CommandResult predicted =
      run_descent("predict " + out.string() + " --output " + (dir / "predictions.csv").string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
}

TEST(FunctionalModelFile, ResumesFromACheckpointToTheSameWeights) {
  const fs::path dir = fresh_dir("functional_resume");
  write_file(dir / "residual.json", kResidual);
  const fs::path run = dir / "run";
  const CommandResult full = run_descent(
      "train --data moons --model " + (dir / "residual.json").string() +
      " --optimizer adam --epochs 2 --batch-size 10 --seed 3 --threads 1 --checkpoint-every 4 "
      "--keep 1000 --quiet --out " +
      run.string());
  ASSERT_EQ(full.exit_code, 0) << full.output;
  const std::string weights = read_file(run / "weights.bin");
  ASSERT_TRUE(fs::exists(run / "checkpoints" / "checkpoint-0000000040.bin"));
  for (const auto& entry : fs::directory_iterator(run / "checkpoints"))
    if (entry.path().filename() != "checkpoint-0000000040.bin") fs::remove(entry.path());
  const CommandResult resumed = run_descent("train --resume " + run.string());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("Resumed at step 40"));
  EXPECT_EQ(read_file(run / "weights.bin"), weights);
}

TEST(FunctionalModelFile, BadGraphsAreRefusedNamingTheLayer) {
  const fs::path dir = fresh_dir("functional_bad");
  nlohmann::json cycle = nlohmann::json::parse(kResidual);
  cycle["layers"][1]["inbound"] = {"x", "f"};
  write_file(dir / "cycle.json", cycle.dump());
  CommandResult r =
      run_descent("train --data moons --quiet --model " + (dir / "cycle.json").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("cycle.json: model: layer \"h\" is in a cycle"));

  nlohmann::json two = nlohmann::json::parse(kResidual);
  two["layers"].push_back({{"name", "y"}, {"type", "InputLayer"}});
  two["layers"][3]["inbound"] = {"h", "f", "y2"};
  two["layers"].push_back({{"name", "y2"}, {"type", "Dense"}, {"units", 16}, {"inbound", {"y"}}});
  two["inputs"] = {"x", "y"};
  write_file(dir / "two.json", two.dump());
  r = run_descent("train --data moons --quiet --model " + (dir / "two.json").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("two.json: the command line trains a model with one input and "
                                  "one output (\"inputs\" names 2, \"outputs\" 1)"));
}

}  // namespace
}  // namespace descent::testing
