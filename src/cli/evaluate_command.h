// `descent evaluate RUN_DIR`: the loss and metrics of a trained run on its test data (or --data).
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

void add_evaluate_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
