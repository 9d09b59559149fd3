// `descent tune`: pick η and show why. The range test, then a short sweep around its suggestion,
// then the final training with the best η and a schedule, then one HTML report (docs/tune.md).
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

void add_tune_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
