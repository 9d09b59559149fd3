// --out and --overwrite, the same for every command that writes a run directory
// (report/run_directory.h says what --overwrite may replace).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace descent::cli {

// Adds --out DIR (default: runs/<command>-<time>) and --overwrite to `command`.
void add_run_directory_flags(CLI::App& command, std::string& out, bool& overwrite);

}  // namespace descent::cli
