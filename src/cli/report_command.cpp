#include "cli/report_command.h"

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/output_file.h"
#include "core/error.h"
#include "report/html_report.h"

namespace descent::cli {
namespace {

namespace fs = std::filesystem;

struct ReportCommand {
  std::vector<std::string> run_dirs;
  std::string out;
  std::string title;
  bool overwrite = false;
  OutputFlags output;
};

// RUN_DIR/report.html for one directory; several need --out (no one of them is the obvious home
// of a page about all of them).
fs::path output_path(const ReportCommand& c) {
  if (!c.out.empty()) return c.out;
  if (c.run_dirs.size() > 1)
    throw InvalidArgument("--out is required when the report covers several run directories");
  return fs::path(c.run_dirs.front()) / "report.html";
}

std::string default_title(const std::vector<RunInputs>& runs) {
  std::vector<std::string> names;
  for (const RunInputs& run : runs)
    names.push_back(run.name());
  return fmt::format("descent report: {}", fmt::join(names, ", "));
}

int run_report_command(const ReportCommand& c) {
  const fs::path out = output_path(c);
  std::error_code error;
  if (fs::is_directory(out, error))
    throw InvalidArgument(
        fmt::format("{} is a directory; name the HTML file to write with --out", out.string()));
  if (fs::exists(out, error) && !c.overwrite)
    throw InvalidArgument(
        fmt::format("{} already exists (use --overwrite to replace it)", out.string()));

  std::vector<RunInputs> runs;
  nlohmann::json listed = nlohmann::json::array();
  for (const std::string& dir : c.run_dirs) {
    runs.push_back(read_run_inputs(dir));
    if (!c.output.quiet) fmt::print(stderr, "Read {}: {}\n", dir, runs.back().describe());
    listed.push_back({{"dir", dir}, {"contents", runs.back().describe()}});
  }
  check_output_file(out, "--out");
  write_html_report(runs, out, c.title.empty() ? default_title(runs) : c.title);

  const nlohmann::json results = {{"report", out.string()}, {"runs", listed}};
  print_result(c.output, results, fmt::format("Report: {}\n", out.string()));
  return kSuccess;
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  auto command = std::make_shared<ReportCommand>();
  CLI::App* sub = app.add_subcommand(
      "report", "Write one self-contained HTML page with the charts and tables of run directories");
  sub->add_option("run_dirs", command->run_dirs,
                  "run directories of train, find-lr, sweep, sharpness or tune")
      ->required();
  sub->add_option("--out", command->out,
                  "HTML file to write (default: RUN_DIR/report.html; required for several)");
  sub->add_flag("--overwrite", command->overwrite, "replace an existing report file");
  sub->add_option("--title", command->title,
                  "title of the page (default: \"descent report: \" and the directory names)");
  sub->add_flag("--json", command->output.json, "print one JSON object with the results");
  sub->add_flag("--quiet", command->output.quiet, "no progress lines");
  sub->callback([command, &exit_code] { exit_code = run_report_command(*command); });
}

}  // namespace descent::cli
