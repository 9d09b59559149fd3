#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "run_fixtures.h"

namespace descent::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The path in single quotes, for the shell.
std::string quoted(const fs::path& path) {
  std::string out = "'";
  out += path.string();
  out += '\'';
  return out;
}

std::string read_text(const fs::path& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

TEST(ReportCommand, ReportsOnARealTrainingRun) {
  const fs::path dir = fresh_dir("report_train");
  const CommandResult train =
      run_descent("train --data moons --model mlp:8 --epochs 2 --batch-size 64 --quiet --out " +
                  quoted(dir / "run"));
  ASSERT_EQ(train.exit_code, 0) << train.output;
  const CommandResult r = run_descent("report " + quoted(dir / "run"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const fs::path page = dir / "run" / "report.html";
  EXPECT_THAT(r.output, HasSubstr("Read " + (dir / "run").string() + ": training run\n"));
  EXPECT_THAT(r.output, HasSubstr("Report: " + page.string() + "\n"));
  const std::string html = read_text(page);
  EXPECT_THAT(html, HasSubstr("<title>descent report: run</title>"));
  EXPECT_THAT(html, HasSubstr(">Configuration</h3>"));
  EXPECT_THAT(html, HasSubstr(">Training</h3>"));
  EXPECT_THAT(html, HasSubstr("<figure class=\"chart wide\" id=\"chart1\">"));
}

TEST(ReportCommand, NeverOverwritesWithoutBeingAsked) {
  const fs::path dir = fresh_dir("report_overwrite");
  write_train_dir(dir / "run");
  const fs::path out = dir / "page.html";
  write_file(out, "mine");
  const CommandResult refused =
      run_descent("report " + quoted(dir / "run") + " --out " + quoted(out));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.output, "descent: error: " + out.string() +
                                " already exists (use --overwrite to replace it)\n");
  EXPECT_EQ(read_text(out), "mine");
  const CommandResult replaced = run_descent("report " + quoted(dir / "run") + " --out " +
                                             quoted(out) + " --overwrite --quiet");
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_EQ(replaced.output, "Report: " + out.string() + "\n");
  EXPECT_THAT(read_text(out), StartsWith("<!DOCTYPE html>"));
}

TEST(ReportCommand, SeveralDirectoriesNeedOut) {
  const fs::path dir = fresh_dir("report_several");
  write_train_dir(dir / "a");
  write_sweep_dir(dir / "b");
  const CommandResult refused =
      run_descent("report " + quoted(dir / "a") + " " + quoted(dir / "b"));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_EQ(refused.output,
            "descent: error: --out is required when the report covers several run directories\n");
  const CommandResult r =
      run_descent("report " + quoted(dir / "a") + " " + quoted(dir / "b") + " --out " +
                  quoted(dir / "both.html") + " --title 'A & B' --json --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto result = nlohmann::json::parse(r.output);
  EXPECT_EQ(result["report"], (dir / "both.html").string());
  ASSERT_EQ(result["runs"].size(), 2u);
  EXPECT_EQ(result["runs"][1]["contents"], "sweep");
  EXPECT_THAT(read_text(dir / "both.html"), HasSubstr("<title>A &amp; B</title>"));
}

TEST(ReportCommand, ATuneDirectory) {
  const fs::path dir = fresh_dir("report_tune");
  write_tune_dir(dir / "tune");
  const CommandResult r = run_descent("report " + quoted(dir / "tune"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(": tune (find-lr, sweep, final, sharpness)\n"));
  EXPECT_THAT(read_text(dir / "tune" / "report.html"), HasSubstr(">Chosen learning rate</h3>"));
}

TEST(ReportCommand, BadInputGetsOneLineAndItsExitCode) {
  const fs::path dir = fresh_dir("report_bad");
  fs::create_directories(dir / "empty");
  write_train_dir(dir / "broken");
  write_file(dir / "broken" / "history.json", "{\"epochs\": [");
  write_train_dir(dir / "run");
  struct Case {
    std::string arguments;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {quoted(dir / "nowhere"), 4,
       "run directory " + (dir / "nowhere").string() + " does not exist"},
      {quoted(dir / "empty"), 3, (dir / "empty").string() + " holds nothing to report"},
      {quoted(dir / "broken"), 3, (dir / "broken" / "history.json").string() + ": malformed JSON"},
      {quoted(dir / "run") + " --out " + quoted(dir), 2, "is a directory"},
      {quoted(dir / "run") + " --colour red", 2, "--colour"},
      {"", 2, "run_dirs is required"},
  };
  for (const Case& c : cases) {
    const CommandResult r = run_descent("report " + c.arguments + " --quiet");
    EXPECT_EQ(r.exit_code, c.exit_code) << c.arguments << "\n" << r.output;
    EXPECT_THAT(r.output, StartsWith("descent: error: ")) << c.arguments;
    EXPECT_THAT(r.output, HasSubstr(c.message)) << c.arguments;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
  }
  EXPECT_FALSE(fs::exists(dir / "broken" / "report.html"));
}

TEST(ReportCommand, Help) {
  const CommandResult r = run_descent("report --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("--overwrite"));
  EXPECT_THAT(r.output, HasSubstr("--title"));
}

}  // namespace
}  // namespace descent::testing
