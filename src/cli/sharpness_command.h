// `descent sharpness`: estimates λmax, the top eigenvalue of the training loss's Hessian, for a
// model at its initial weights (the training flags, weights drawn from --seed) or at the trained
// weights of a finished run (--run DIR), prints the learning-rate bounds 2/λmax and 2(1 + μ)/λmax,
// and writes config, result, CSV and chart to a run directory (docs/sharpness.md).
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_sharpness_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
