// Each kind of bad input gets one clear line naming the problem and its own non-zero exit code.
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kUsage = 2, kData = 3, kIo = 4;

// The error is one line starting "descent: error:".
void expect_error(const CommandResult& r, int code, const std::string& needle) {
  EXPECT_EQ(r.exit_code, code) << r.output;
  EXPECT_THAT(r.output, HasSubstr("descent: error: ")) << r.output;
  EXPECT_THAT(r.output, HasSubstr(needle)) << r.output;
  const auto at = r.output.find("descent: error: ");
  if (at != std::string::npos) {
    EXPECT_EQ(r.output.find('\n', at), r.output.size() - 1) << r.output;
  }
}

std::string train(const std::string& arguments) {
  return "train --quiet --epochs 1 " + arguments;
}

TEST(BadInput, MissingDataFile) {
  expect_error(run_descent(train("--data /nonexistent/data.csv")), kIo, "/nonexistent/data.csv");
}

TEST(BadInput, CorruptIdxFiles) {
  const fs::path dir = fresh_dir("bad_idx");
  for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
    write_file(dir / name, "this is not an IDX file");
  const CommandResult r = run_descent(train("--data " + dir.string()));
  EXPECT_EQ(r.exit_code, kData) << r.output;
  EXPECT_THAT(r.output, HasSubstr("descent: error: "));
}

TEST(BadInput, RaggedCsvRowNamesFileAndLine) {
  const fs::path csv = fresh_dir("ragged") / "data.csv";
  write_file(csv, "a,b,label\n1,2,0\n3,1\n4,5,1\n");
  expect_error(run_descent(train("--data " + csv.string())), kData, "data.csv:3");
}

TEST(BadInput, NonNumericCsvCell) {
  const fs::path csv = fresh_dir("non_numeric") / "data.csv";
  write_file(csv, "a,b,label\n1,2,0\n3,x,1\n");
  expect_error(run_descent(train("--data " + csv.string())), kData, "data.csv:3");
}

TEST(BadInput, EmptyCsv) {
  const fs::path csv = fresh_dir("empty") / "data.csv";
  write_file(csv, "");
  expect_error(run_descent(train("--data " + csv.string())), kData, "empty");
}

TEST(BadInput, NanInFeatures) {
  const fs::path csv = fresh_dir("nan") / "data.csv";
  write_file(csv, "a,b,label\n1,2,0\nnan,1,1\n");
  expect_error(run_descent(train("--data " + csv.string())), kData, "data.csv");
}

TEST(BadInput, LabelOutsideTheModelsClasses) {
  const fs::path dir = fresh_dir("label_range");
  write_file(dir / "train.csv", "a,b,label\n1,2,0\n3,1,1\n0,0,1\n");
  write_file(dir / "test.csv", "a,b,label\n1,2,0\n3,1,7\n");
  const CommandResult r = run_descent(
      train("--data " + (dir / "train.csv").string() + " --test " + (dir / "test.csv").string()));
  EXPECT_EQ(r.exit_code, kData) << r.output;
  EXPECT_THAT(r.output, HasSubstr("7"));
}

TEST(BadInput, LearningRateMustBeFiniteAndPositive) {
  for (const char* lr : {"0", "-0.1", "nan", "inf"}) {
    const CommandResult r = run_descent(train(std::string("--data xor --lr ") + lr));
    EXPECT_EQ(r.exit_code, kUsage) << lr << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("learning rate")) << lr;
  }
}

TEST(BadInput, UnknownNames) {
  expect_error(run_descent(train("--data xor --optimizer adamz")), kUsage, "adamz");
  expect_error(run_descent(train("--data xor --schedule Cosine")), kUsage, "Cosine");
  expect_error(run_descent(train("--data xor --model mlp:8,x")), kUsage, "mlp:8,x");
  expect_error(run_descent(train("--data xor --momentum 0.9")), kUsage, "momentum");
  expect_error(run_descent("train --no-such-flag"), kUsage, "--no-such-flag");
  expect_error(run_descent("frobnicate"), kUsage, "frobnicate");
}

TEST(BadInput, ScheduleFreeHyperparametersOutOfTheirDomain) {
  const std::pair<const char*, const char*> cases[] = {
      {"--optimizer sgd_schedule_free --opt warmup_steps=-1", "warmup_steps must be >= 0, got -1"},
      {"--optimizer sgd_schedule_free --momentum 0", "momentum must be in (0, 1), got 0"},
      {"--optimizer sgd_schedule_free --opt r=-0.5", "r must be finite and >= 0, got -0.5"},
      {"--optimizer adamw_schedule_free --opt weight_lr_power=-2",
       "weight_lr_power must be finite and >= 0, got -2"},
      {"--optimizer adamw_schedule_free --beta1 1", "betas[0] must be in [0, 1), got 1"},
      {"--optimizer adamw_schedule_free --opt warmup_steps=1.5", "must be an integer, got 1.5"},
  };
  for (const auto& [flags, message] : cases)
    expect_error(run_descent(train(std::string("--data xor ") + flags)), kUsage, message);
}

// decay_all turns off the no-decay group of decoupled weight decay; L2 decays every parameter.
TEST(BadInput, DecayAllForAnL2Rule) {
  const fs::path out = fresh_dir("decay_all") / "run";
  expect_error(
      run_descent(train("--data xor --optimizer sgd --opt decay_all=true --out " + out.string())),
      kUsage,
      "sgd: hyperparameter 'decay_all' is for decoupled weight decay; sgd's weight "
      "decay is L2 here, which decays every parameter");
  EXPECT_FALSE(fs::exists(out));
  expect_error(run_descent(train("--data xor --optimizer adamw --opt decay_all=2")), kUsage,
               "adamw: hyperparameter 'decay_all' must be true or false, got 2");
}

TEST(BadInput, ModelFileWithUnknownKeyOrWrongType) {
  const fs::path dir = fresh_dir("model_file");
  write_file(dir / "unknown.json",
             R"({"layers": [{"type": "Dense", "units": 2, "activaton": "relu"}]})");
  expect_error(run_descent(train("--data xor --model " + (dir / "unknown.json").string())), kData,
               "activaton");
  write_file(dir / "type.json", R"({"layers": [{"type": "Dense", "units": "two"}]})");
  expect_error(run_descent(train("--data xor --model " + (dir / "type.json").string())), kData,
               "units");
  write_file(dir / "activation.json",
             R"({"layers": [{"type": "Dense", "units": 2, "activation": "relux"}]})");
  expect_error(run_descent(train("--data xor --model " + (dir / "activation.json").string())),
               kData, "relux");
  write_file(dir / "broken.json", R"({"layers": [)");
  expect_error(run_descent(train("--data xor --model " + (dir / "broken.json").string())), kData,
               "broken.json");
}

TEST(BadInput, ModelFileWithBadAttentionOptions) {
  const fs::path dir = fresh_dir("attention_options");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type": "MultiHeadAttention", "num_heads": 0})",
       "MultiHeadAttention: num_heads must be > 0, got 0"},
      {R"({"type": "MultiHeadAttention", "num_heads": 2, "dropout": 1.5})",
       "MultiHeadAttention: dropout must be in [0, 1), got 1.5"},
      {R"({"type": "PositionalEmbedding", "max_length": 0})",
       "PositionalEmbedding: max_length must be > 0, got 0"},
  };
  for (const auto& [layer, message] : cases) {
    write_file(dir / "model.json", R"({"layers": [)" + layer + "]}");
    expect_error(run_descent(train("--data xor --model " + (dir / "model.json").string())), kData,
                 message);
  }
}

TEST(BadInput, InputWidthThatDoesNotMatchTheModel) {
  const fs::path model = fresh_dir("width") / "model.json";
  write_file(model, R"({"input_shape": [5], "layers": [{"type": "Dense", "units": 2}]})");
  expect_error(run_descent(train("--data xor --model " + model.string())), kData, "(5,)");
}

TEST(BadInput, BatchSizeZero) {
  expect_error(run_descent(train("--data xor --batch-size 0")), kUsage, "batch");
}

}  // namespace
}  // namespace descent::testing
