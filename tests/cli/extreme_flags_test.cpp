// Values at the edges of each flag (issue 16): each is answered at once with one line and a
// documented exit code, never a crash, a hang or gigabytes allocated. The first four are the
// commands the issue reported; the command-line fuzzer (fuzz/cli, docs/fuzzing.md) finds more.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

// Its own namespace: the unity build compiles this file with the other CLI tests.
namespace descent::testing::extreme_flags {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kUsage = 2, kIo = 4;
// "Within a second" on an idle machine; the bound leaves room for a loaded CI machine.
constexpr double kFastSeconds = 5.0;

struct TimedResult {
  CommandResult result;
  double seconds;
};

TimedResult run_timed(const std::string& arguments) {
  const auto start = std::chrono::steady_clock::now();
  CommandResult result = run_descent(arguments);
  return {std::move(result),
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

// One line, "descent: error: ...", holding `needle`, with exit code `code`, quickly.
void expect_refused(const TimedResult& r, int code, const std::string& needle) {
  EXPECT_EQ(r.result.exit_code, code) << r.result.output;
  EXPECT_THAT(r.result.output, ::testing::StartsWith("descent: error: ")) << r.result.output;
  EXPECT_THAT(r.result.output, HasSubstr(needle)) << r.result.output;
  EXPECT_EQ(r.result.output.find('\n'), r.result.output.size() - 1) << r.result.output;
  EXPECT_LT(r.seconds, kFastSeconds) << r.result.output;
}

TEST(ExtremeFlags, ThreadsPastTheMaximumAreRefused) {
  expect_refused(run_timed("train --data moons --model mlp:16 --threads 100000 --epochs 1"), kUsage,
                 "--threads must be in [0, 1024]");
}

TEST(ExtremeFlags, ThreadsAboveTheCoresAreCappedWithOneWarning) {
  const fs::path dir = fresh_dir("threads_capped");
  const CommandResult r = run_descent(
      "train --data moons --model mlp:4 --epochs 1 --quiet "
      "--threads 1024 --out " +
      (dir / "run").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("descent: warning: --threads 1024 is more than the")) << r.output;
}

TEST(ExtremeFlags, AWidthTooLargeForMemoryIsRefusedWithTheWidestThatFits) {
  const TimedResult r = run_timed("train --data moons --model mlp:1000000000 --epochs 1");
  expect_refused(r, kUsage, "model mlp:1000000000 needs about");
  EXPECT_THAT(r.result.output, HasSubstr("the widest mlp that fits is mlp:"));
}

TEST(ExtremeFlags, TwoWideLayersAreRefusedBeforeAllocating) {
  expect_refused(run_timed("train --data moons --model mlp:100000,100000 --epochs 1"), kUsage,
                 "needs about");
}

TEST(ExtremeFlags, AModelFileWithAHugeLayerIsRefusedBeforeAllocating) {
  const fs::path model = fresh_dir("huge_model_file") / "model.json";
  write_file(model, R"({"layers": [{"type": "Dense", "units": 1000000000}, {"type": "Dense",
                       "units": 2}]})");
  expect_refused(run_timed("train --data moons --epochs 1 --model " + model.string()), kUsage,
                 "needs about");
}

TEST(ExtremeFlags, ADeviceAsDataIsRefusedWithoutReadingIt) {
  expect_refused(run_timed("train --data /dev/zero"), kIo,
                 "--data /dev/zero is a character device, not a regular file");
}

TEST(ExtremeFlags, AFifoAsDataIsRefusedWithoutOpeningIt) {
  const fs::path fifo = fresh_dir("fifo_data") / "data.csv";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  expect_refused(run_timed("train --data " + fifo.string()), kIo, "is a FIFO, not a regular file");
}

TEST(ExtremeFlags, ValleyStepsPastTheMaximumAreRefused) {
  expect_refused(run_timed("valley --steps 100000000"), kUsage,
                 "--steps must be at most 100000 (docs/cli.md), got 100000000");
}

TEST(ExtremeFlags, EpochsPastTheMaximumAreRefused) {
  expect_refused(run_timed("train --data moons --model mlp:4 --epochs 100001"), kUsage,
                 "--epochs must be at most 100000");
}

TEST(ExtremeFlags, APredictionFileThatIsAFifoIsRefused) {
  const fs::path dir = fresh_dir("fifo_predict");
  ASSERT_EQ(run_descent("train --data moons --model mlp:4 --epochs 1 --quiet --out " +
                        (dir / "run").string())
                .exit_code,
            0);
  ASSERT_EQ(mkfifo((dir / "out.csv").c_str(), 0600), 0);
  expect_refused(run_timed("predict " + (dir / "run").string() + " --overwrite -o " +
                           (dir / "out.csv").string()),
                 kIo, "is a FIFO, not a regular file");
}

// The command-line fuzzer's findings (docs/fuzzing.md), each kept as the command that failed.

// A refused command leaves nothing behind: not even an empty run directory.
void expect_refused_without_writing(const std::string& arguments, const fs::path& out, int code,
                                    const std::string& needle) {
  expect_refused(run_timed(arguments + " --out " + out.string()), code, needle);
  EXPECT_FALSE(fs::exists(out)) << arguments;
}

constexpr const char* kTinyTune =
    "tune --data moons --model mlp:4 --finder-iters 10 --sweep-points 2 --sweep-epochs 1 "
    "--epochs 1 --batch-size 256 --validation-split 0.2 --quiet";

TEST(FuzzerFindings, ADirectoryAsModelFile) {
  expect_refused(run_timed("sharpness --data moons --model " + fresh_dir("model_dir").string()),
                 kIo, "is a directory, not a JSON file");
}

TEST(FuzzerFindings, ATestFileForDataWithItsOwnTestSet) {
  // Was ignored: tune trained on fashion-mnist for minutes.
  expect_refused(run_timed("tune --data moons --test /nonexistent.csv"), kUsage,
                 "--test takes a CSV test set for CSV data; moons has its own test set");
}

TEST(FuzzerFindings, AnUnknownSuggestionRuleWritesNothing) {
  expect_refused_without_writing(std::string(kTinyTune) + " --suggest 0x10",
                                 fresh_dir("tune_suggest") / "out", kUsage,
                                 "--suggest must be steep, minimum or valley");
}

TEST(FuzzerFindings, ABadCheckpointFlagWritesNothing) {
  expect_refused_without_writing(
      "train --data moons --model mlp:4 --epochs 1 --quiet --rollback-factor -1e308",
      fresh_dir("train_rollback") / "out", kUsage, "--rollback-factor must be in (0, 1)");
  expect_refused_without_writing(std::string(kTinyTune) + " --on-divergence -1",
                                 fresh_dir("tune_divergence") / "out", kUsage,
                                 "--on-divergence must be stop or rollback");
}

TEST(FuzzerFindings, APathTooLongForTheSystem) {
  expect_refused(
      run_timed("train --data moons --epochs 1 --quiet --model " + std::string(5000, 'x')), kIo,
      "File name too long");
}

TEST(FuzzerFindings, AValleyCsvThatIsADirectoryWritesNothing) {
  const fs::path dir = fresh_dir("valley_csv_dir");
  expect_refused_without_writing("valley --steps 20 --csv " + dir.string(), dir / "out", kUsage,
                                 "is a directory; name the file to write");
}

TEST(FuzzerFindings, ARangeTestOfTwoBillionSteps) {
  // Once the range test ran every step over as many epochs as it needed, this hung.
  expect_refused_without_writing(
      "find-lr --data moons --model mlp:4 --iters 2147483647 --batch-size 64 --quiet",
      fresh_dir("find_lr_iters") / "out", kUsage, "--iters must be at most 100000");
}

TEST(FuzzerFindings, ABatchSizeNear2To63) {
  // (n + b - 1) / b wrapped to 0 steps; the range test then failed after writing its directory.
  // Now a batch larger than the data is the whole data: a full-batch range test, one step an
  // epoch.
  const fs::path find_dir = fresh_dir("find_lr_batch");
  const CommandResult find = run_descent(
      "find-lr --data moons --model mlp:4 --iters 10 --quiet --json "
      "--batch-size 9223372036854775807 --out " +
      (find_dir / "out").string());
  EXPECT_EQ(find.exit_code, 0) << find.output;
  EXPECT_EQ(last_json_line(find.output)["epochs"], 10);
  const fs::path dir = fresh_dir("sweep_batch");
  const CommandResult r = run_descent(
      "sweep --data moons --model mlp:4 --lrs 0.01,0.1 --epochs 1 --quiet "
      "--batch-size 9223372036854775807 --out " +
      (dir / "out").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(FuzzerFindings, AValleyStartWhereTheFunctionOverflows) {
  // Was a segmentation fault: no point of the run was finite enough to draw.
  const fs::path dir = fresh_dir("valley_start");
  expect_refused_without_writing("valley --steps 20 --start 1e308", dir / "out", kUsage,
                                 "quadratic is not finite at the start (1e+308)");
}

TEST(FuzzerFindings, SubnormalNumbersAreRefusedBeforeAnythingIsWritten) {
  // They passed the flag checks, then counted as 0 once training flushed subnormals to zero.
  expect_refused_without_writing(
      "train --data moons --model mlp:4 --epochs 1 --quiet --rollback-factor 1e-308",
      fresh_dir("train_subnormal") / "out", kUsage, "--rollback-factor must be in (0, 1)");
  expect_refused_without_writing(
      "find-lr --data moons --model mlp:4 --iters 10 --quiet --start 4.9e-324",
      fresh_dir("find_lr_subnormal") / "out", kUsage, "--start must be finite and > 0");
}

TEST(FuzzerFindings, ASweepAtTheLargestFiniteRate) {
  // The chart's η axis, padded ×3, reached infinity: exit 2 after the runs were written.
  const fs::path dir = fresh_dir("sweep_huge_lr");
  const CommandResult r =
      run_descent("sweep --data moons --model mlp:4 --lrs 1e308 --epochs 1 --quiet --out " +
                  (dir / "out").string());
  EXPECT_EQ(r.exit_code, 5) << r.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "sweep.png")) << r.output;
}

TEST(FuzzerFindings, AValidationSplitThatLeavesNoTrainingDataWritesNothing) {
  expect_refused_without_writing(
      "train --data moons --model mlp:4 --epochs 1 --quiet --validation-split 0.999999",
      fresh_dir("train_split") / "out", kUsage, "cannot be split into training and validation");
  expect_refused_without_writing(
      "sweep --data moons --model mlp:4 --lrs 0.01,0.1 --epochs 1 --quiet "
      "--validation-split 0.999999",
      fresh_dir("extreme_sweep_split") / "out", kUsage,
      "cannot be split into training and validation");
}

}  // namespace
}  // namespace descent::testing::extreme_flags
