// Values at the edges of each flag (issue 16): each is answered at once with one line and a
// documented exit code, never a crash, a hang or gigabytes allocated. The first four are the
// commands the issue reported; the command-line fuzzer (fuzz/cli, docs/fuzzing.md) finds more.
#include <sys/stat.h>

#include <chrono>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace descent::testing {
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

}  // namespace
}  // namespace descent::testing
