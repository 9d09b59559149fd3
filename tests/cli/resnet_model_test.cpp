// `--model resnet`: the residual CNN with BatchNormalization through every learning-rate tool on
// a tiny image set (IDX files the test writes), inference with the running statistics, bitwise
// resume, and non-image data refused in one line.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/model_spec.h"
#include "cli_runner.h"
#include "nn/network.h"
#include "read_file.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kSide = 8;

void put_u32(std::ofstream& out, std::uint32_t v) {
  const char bytes[] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                        static_cast<char>(v >> 8), static_cast<char>(v)};
  out.write(bytes, 4);
}

// `n` 8×8 images in IDX files `prefix`-images-idx3-ubyte / -labels-idx1-ubyte: class 1 has a
// bright 4×4 square, class 0 noise only.
std::vector<int> write_idx(const fs::path& dir, const std::string& prefix, int n,
                           std::uint32_t seed) {
  std::ofstream images(dir / (prefix + "-images-idx3-ubyte"), std::ios::binary);
  std::ofstream labels(dir / (prefix + "-labels-idx1-ubyte"), std::ios::binary);
  put_u32(images, 0x803);
  put_u32(images, static_cast<std::uint32_t>(n));
  put_u32(images, kSide);
  put_u32(images, kSide);
  put_u32(labels, 0x801);
  put_u32(labels, static_cast<std::uint32_t>(n));
  std::uint32_t state = seed;
  std::vector<int> classes;
  for (int i = 0; i < n; ++i) {
    const int label = i % 2;
    classes.push_back(label);
    labels.put(static_cast<char>(label));
    for (int r = 0; r < kSide; ++r)
      for (int c = 0; c < kSide; ++c) {
        state = state * 1664525u + 1013904223u;
        const bool square = label == 1 && r >= 2 && r < 6 && c >= 2 && c < 6;
        images.put(static_cast<char>((state >> 24) % 128 + (square ? 120 : 0)));
      }
  }
  return classes;
}

// A Fashion-MNIST-shaped folder of 48 training and 16 test images; returns the test labels.
std::vector<int> write_image_set(const fs::path& dir) {
  fs::create_directories(dir);
  write_idx(dir, "train", 48, 1);
  return write_idx(dir, "t10k", 16, 2);
}

std::string training(const fs::path& data) {
  return "--data " + data.string() +
         " --model resnet:4,8,8 --batch-size 16 --seed 3 --threads 1 --quiet";
}

// The predicted class of each row of a predict CSV (its "prediction" column).
std::vector<int> predicted_classes(const std::string& csv) {
  std::istringstream lines(csv);
  std::string header;
  std::getline(lines, header);
  std::vector<std::string> columns;
  std::stringstream names(header);
  for (std::string name; std::getline(names, name, ',');)
    columns.push_back(name);
  const auto predicted = std::find(columns.begin(), columns.end(), "prediction");
  std::vector<int> out;
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');)
      cells.push_back(cell);
    out.push_back(std::stoi(cells.at(static_cast<std::size_t>(predicted - columns.begin()))));
  }
  return out;
}

// The weights counted by hand for Fashion-MNIST's (1, 28, 28) and 10 classes, resnet:16,32,64 with
// one block a stage: stem conv 9·16 + BN 2·16; stage 1: two 3×3 convs 16→16 and two BNs; stage 2:
// 16→32 and 32→32, the 1×1 shortcut 16·32, three BNs; stage 3 the same at 32→64; Dense 64·10 + 10.
// Each BN keeps 2 running statistics a channel (non-trainable).
TEST(ResnetModel, HasTheWeightsOfItsArchitecture) {
  const auto shallow =
      network_from_config(cli::model_config("resnet:16,32,64:blocks=1", {1, 28, 28}, 10));
  EXPECT_EQ(shallow->count_trainable_params(), 144 + 32 + 2 * (2304 + 32) + 4608 + 9216 + 512 +
                                                   3 * 64 + 18432 + 36864 + 2048 + 3 * 128 + 650);
  EXPECT_EQ(shallow->count_non_trainable_params(), 2 * (16 + 2 * 16 + 3 * 32 + 3 * 64));
  EXPECT_EQ(shallow->output_shape(), (Shape{10}));
  // `resnet` has a second block a stage: two more 3×3 convs and BNs at each width, no shortcut.
  const auto resnet = network_from_config(cli::model_config("resnet", {1, 28, 28}, 10));
  EXPECT_EQ(resnet->count_trainable_params() - shallow->count_trainable_params(),
            2 * (2304 + 32) + 2 * (9216 + 64) + 2 * (36864 + 128));
  EXPECT_EQ(cli::model_config("resnet", {1, 28, 28}, 10),
            cli::model_config("resnet:16,32,64:blocks=2", {1, 28, 28}, 10));
  EXPECT_EQ(cli::model_config("resnet:4,8", {3, 8, 8}, 2),
            cli::model_config("resnet:4,8:blocks=2", {3, 8, 8}, 2));
}

TEST(ResnetModel, EvaluateAndPredictGiveTheTestAccuracyTrainingPrinted) {
  const fs::path dir = fresh_dir("resnet_inference");
  const std::vector<int> test_labels = write_image_set(dir / "data");
  const fs::path run = dir / "run";
  const CommandResult trained = run_descent("train " + training(dir / "data") +
                                            " --lr 0.03 --epochs 3 --json --out " + run.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const nlohmann::json results = last_json_line(trained.output);
  const double test_accuracy = results.at("test").at("accuracy").get<double>();
  EXPECT_GT(test_accuracy, 0.5);  // learnt: a figure that batch statistics would not reproduce

  const CommandResult evaluated = run_descent("evaluate " + run.string() + " --json");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  EXPECT_EQ(last_json_line(evaluated.output).at("accuracy").get<double>(), test_accuracy);
  EXPECT_EQ(last_json_line(evaluated.output).at("loss"), results.at("test").at("loss"));

  const CommandResult predicted =
      run_descent("predict " + run.string() + " -o " + (dir / "predictions.csv").string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  const std::vector<int> classes = predicted_classes(read_file(dir / "predictions.csv"));
  ASSERT_EQ(classes.size(), test_labels.size());
  int correct = 0;
  for (std::size_t i = 0; i < classes.size(); ++i)
    correct += classes[i] == test_labels[i] ? 1 : 0;
  EXPECT_EQ(static_cast<double>(correct) / static_cast<double>(classes.size()), test_accuracy);
}

TEST(ResnetModel, LearningRateToolsRunOnIt) {
  const fs::path dir = fresh_dir("resnet_tools");
  write_image_set(dir / "data");
  const std::string data = training(dir / "data");
  const CommandResult finder =
      run_descent("find-lr " + data + " --iters 12 --out " + (dir / "find_lr").string());
  EXPECT_EQ(finder.exit_code, 0) << finder.output;
  const CommandResult sweep = run_descent("sweep " + data + " --lrs 1e-3,1e-2 --epochs 1 --out " +
                                          (dir / "sweep").string());
  EXPECT_EQ(sweep.exit_code, 0) << sweep.output;
  const CommandResult tune =
      run_descent("tune " + data + " --optimizer adamw --finder-iters 12 --sweep-points 2 " +
                  "--sweep-epochs 1 --epochs 2 --out " + (dir / "tune").string());
  EXPECT_EQ(tune.exit_code, 0) << tune.output;
}

// The exact λmax of the loss training minimises: BatchNormalization on the batch's statistics.
TEST(ResnetModel, SharpnessOnBatchStatistics) {
  const fs::path dir = fresh_dir("resnet_sharpness");
  write_image_set(dir / "data");
  const CommandResult r = run_descent("sharpness " + training(dir / "data") +
                                      " --samples 16 --iters 4 --batch-statistics --json --out " +
                                      (dir / "sharpness").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(last_json_line(r.output).at("method").get<std::string>(),
              HasSubstr("BatchNormalization on the statistics of each batch of 16"));
}

// The checkpoints carry BatchNormalization's running statistics and AdamW's no-decay group: a run
// resumed from a mid-epoch checkpoint ends with the same weights file, byte for byte.
TEST(ResnetModel, ResumeEndsBitwiseAsTheUninterruptedRun) {
  const fs::path dir = fresh_dir("resnet_resume");
  write_image_set(dir / "data");
  const fs::path run = dir / "run";
  const CommandResult trained = run_descent(
      "train " + training(dir / "data") +
      " --optimizer adamw --epochs 2 --checkpoint-every 2 --keep 10 --out " + run.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const std::string uninterrupted = read_file(run / "weights.bin");
  // Keep only the checkpoint of step 2 (of 3 an epoch), as a run killed soon after it would have.
  for (const auto& entry : fs::directory_iterator(run / "checkpoints"))
    if (entry.path().filename() != "checkpoint-0000000002.bin") fs::remove(entry.path());
  ASSERT_TRUE(fs::exists(run / "checkpoints" / "checkpoint-0000000002.bin"));
  const CommandResult resumed = run_descent("train --resume " + run.string() + " --quiet");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr("Resumed at step 2; trained 4 more steps"));
  EXPECT_TRUE(read_file(run / "weights.bin") == uninterrupted);
}

TEST(ResnetModel, NonImageDataIsOneLineUsageError) {
  const CommandResult r = run_descent("train --quiet --epochs 1 --data moons --model resnet");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(
      r.output,
      "descent: error: model 'resnet' needs image inputs (channels, height, width), got (2,)\n");
  const CommandResult bad = run_descent("train --quiet --epochs 1 --data moons --model resnet:4,0");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_EQ(bad.output,
            "descent: error: model 'resnet:4,0': stage widths must be positive integers\n");
}

}  // namespace
}  // namespace descent::testing
