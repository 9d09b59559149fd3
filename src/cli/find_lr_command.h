// `descent find-lr`: the learning-rate range test (lr/lr_finder.h) on a model and data given by
// the training flags; prints the suggested η with its reason and the other rules' values, and
// writes the curve (JSON, CSV) and its chart to a run directory.
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_find_lr_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
