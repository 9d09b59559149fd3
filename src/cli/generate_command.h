// `descent generate RUN_DIR --prompt TEXT`: characters sampled from a language model trained on
// text data (--model gpt:...), decoded with the run's vocab.json.
#pragma once

#include <CLI/CLI.hpp>

namespace descent::cli {

void add_generate_command(CLI::App& app, int& exit_code);

}  // namespace descent::cli
