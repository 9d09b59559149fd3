// `valley --help` and `tune --help`: each lists its flags and exits 0 without running anything
// (the other commands' help is tested beside their behaviour).
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli_runner.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// `descent <command> --help` from an empty directory: exit 0, the usage line, every flag named,
// and no run directory written (both commands default to one under ./runs).
void expect_help(const std::string& command, const std::vector<std::string>& flags) {
  const fs::path dir = fresh_dir(command + "_help");
  const fs::path previous = fs::current_path();
  fs::current_path(dir);
  const CommandResult r = run_descent(command + " --help");
  fs::current_path(previous);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Usage: descent " + command));
  for (const std::string& flag : flags)
    EXPECT_THAT(r.output, HasSubstr(flag)) << command;
  EXPECT_TRUE(fs::is_empty(dir)) << command << " --help wrote into its directory";
}

TEST(Help, ValleyListsItsFlags) {
  expect_help("valley", {"--function", "--a", "--b", "--start", "--lrs", "--steps", "--optimizer",
                         "--momentum", "--opt", "--csv", "--out", "--overwrite", "--json"});
}

TEST(Help, TuneListsItsFlags) {
  expect_help("tune", {"--data", "--model", "--optimizer", "--schedule", "--epochs", "--batch-size",
                       "--validation-split", "--finder-iters", "--suggest", "--sweep-points",
                       "--sweep-epochs", "--sweep-rungs", "--parallel", "--resume", "--out",
                       "--overwrite", "--json", "--quiet"});
}

}  // namespace
}  // namespace descent::testing
