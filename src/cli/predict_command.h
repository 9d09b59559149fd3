// `descent predict RUN_DIR --output FILE.csv`: a trained run's outputs for every sample of its
// test data (or --data), as CSV: index, predicted class (or value), then the raw outputs.
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

void add_predict_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
