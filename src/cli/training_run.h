// What a finished training run leaves behind, for `descent train` and the final run of
// `descent tune`: config.json, model.json, history.json, history.csv, steps.csv, weights.bin,
// the training charts and results.json, plus the figures for the person at the terminal.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/text.h"
#include "report/run_directory.h"
#include "train/history.h"
#include "train/model.h"

namespace descent::cli {

struct TrainingOutcome {
  nlohmann::json results;  // run_dir, diverged, final epoch figures, test figures
  std::string text;        // the same for a person, a few lines
};

// Evaluates `model` on `test` (when given and the run did not diverge) and writes every file of
// the run into `run`. Text data (a `vocabulary`) also gets vocab.json, and its losses are
// reported in bits per character too (loss / ln 2).
TrainingOutcome finish_training_run(const RunDirectory& run, Model& model,
                                    const nlohmann::json& config,
                                    const nlohmann::json& model_config, const History& history,
                                    const Dataset* test, std::int64_t batch_size,
                                    const Vocabulary* vocabulary);

}  // namespace descent::cli
