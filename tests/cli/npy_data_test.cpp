// `--data X.npy --label Y.npy`: training from NumPy files, and a malformed one rejected in one
// line.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const std::string kNpy = std::string(DESCENT_FIXTURES_DIR) + "/npy/";

TEST(NpyData, TrainsFromFeaturesAndLabelsFiles) {
  const fs::path out = fresh_dir("npy_train") / "run";
  const CommandResult r =
      run_descent("train --quiet --data " + kNpy + "features_f4.npy --label " + kNpy +
                  "labels_i8.npy --model mlp:4 --epochs 2 --batch-size 2 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(out / "weights.bin"));
  const CommandResult evaluated = run_descent("evaluate " + out.string() + " --json");
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.output;
  const CommandResult on_files = run_descent("evaluate " + out.string() + " --json --data " + kNpy +
                                             "images_u1_v3.npy --label " + kNpy + "labels_i8.npy");
  EXPECT_EQ(on_files.exit_code, 3) << on_files.output;  // 6 values a sample, the model takes 2
  EXPECT_THAT(on_files.output, HasSubstr("do not fit the model's input"));
}

// Samples of (time, features) through an attention model from a model file: trained, saved, and
// read back by evaluate (its weights included); a sequence longer than max_length is refused.
TEST(NpyData, TrainsAnAttentionModelOnSequences) {
  const fs::path dir = fresh_dir("npy_attention");
  const auto model = [&](int max_length) {
    const fs::path path = dir / fmt::format("model_{}.json", max_length);
    std::ofstream(path) << fmt::format(R"({{"layers": [
        {{"type": "PositionalEmbedding", "max_length": {}}},
        {{"type": "MultiHeadAttention", "num_heads": 3, "causal": true, "dropout": 0.1}},
        {{"type": "Dense", "units": 4, "activation": "relu"}},
        {{"type": "Flatten"}}, {{"type": "Dense", "units": 3}}]}})",
                                       max_length);
    return path.string();
  };
  const std::string data = "--data " + kNpy + "images_u1_v3.npy --label " + kNpy + "labels_i8.npy";
  const fs::path out = dir / "run";
  const CommandResult r = run_descent("train --quiet " + data + " --model " + model(2) +
                                      " --epochs 2 --batch-size 2 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const CommandResult evaluated = run_descent("evaluate " + out.string() + " --json");
  EXPECT_EQ(evaluated.exit_code, 0) << evaluated.output;

  const CommandResult too_long =
      run_descent("train --quiet " + data + " --model " + model(1) + " --epochs 1");
  EXPECT_EQ(too_long.exit_code, 3) << too_long.output;
  EXPECT_THAT(too_long.output, HasSubstr("PositionalEmbedding: sequences of length 2 exceed "
                                         "max_length 1"));
  EXPECT_EQ(std::count(too_long.output.begin(), too_long.output.end(), '\n'), 1) << too_long.output;
}

TEST(NpyData, MalformedFileIsOneLineDataError) {
  const fs::path dir = fresh_dir("npy_bad");
  const std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (-4, 2), }\n";
  std::string bad = "\x93NUMPY\x01";
  bad += '\0';
  bad += static_cast<char>(header.size());
  bad += '\0';
  bad += header;
  std::ofstream(dir / "x.npy", std::ios::binary) << bad;
  const CommandResult r =
      run_descent("train --quiet --epochs 1 --data " + (dir / "x.npy").string() + " --label " +
                  kNpy + "labels_i8.npy");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("descent: error: " + (dir / "x.npy").string() +
                                  ": malformed NPY header (negative dimension in 'shape')"));
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST(NpyData, FeaturesWithoutLabelsFileIsAUsageError) {
  const CommandResult r =
      run_descent("train --quiet --epochs 1 --data " + kNpy + "features_f4.npy");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("needs --label LABELS.npy"));
}

}  // namespace
}  // namespace descent::testing
