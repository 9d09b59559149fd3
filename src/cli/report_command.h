// `descent report RUN_DIR...`: one self-contained HTML page (report/html_report.h) for run
// directories of train, find-lr, sweep, sharpness and tune.
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_report_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
