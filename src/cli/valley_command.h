// `descent valley`: runs an optimizer on a small test function (quadratic, Rosenbrock, ...) for
// several learning rates, labels each run, prints the stability bound η < 2(1 + μ)/a where the
// function has one, and writes the trajectories (CSV) and charts to a run directory.
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_valley_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
