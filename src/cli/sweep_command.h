// `descent sweep`: trains the same model from the same initial weights once per learning rate
// of --lrs, side by side on all cores, gives each run a verdict (good, too high, too low,
// diverged), names the best η by validation loss, and writes the table, every run's history and
// the charts to a run directory (docs/sweep.md).
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_sweep_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
