// A finished run read back from its directory: the configuration, its data with the fitted scaler
// (so that load_data scales any data as the run's training data was) or, for text, the window
// length and the vocabulary of vocab.json (so that characters get the token ids it trained on), the
// model rebuilt from model.json with the weights of weights.bin, compiled with the run's loss and
// metrics.
#pragma once

#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/data_source.h"
#include "train/model.h"

namespace descent::cli {

struct SavedRun {
  nlohmann::json config;
  DataSpec data;
  std::unique_ptr<Model> model;

  // `given` (data named on the command line) read as this run's data: with its fitted scaler, or
  // its context and vocabulary.
  DataSpec scaled_like_run(DataSpec given) const;
};

SavedRun load_run(const std::filesystem::path& run_dir);

}  // namespace descent::cli
