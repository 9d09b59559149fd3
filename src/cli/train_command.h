// `descent train`: trains a model and writes its run directory.
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

// Registers the subcommand; when it runs, its exit code is stored in `exit_code`.
void add_train_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
