// A finished run read back from its directory: the configuration, the model rebuilt from
// model.json with the weights of weights.bin, compiled with the run's loss and metrics.
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
};

SavedRun load_run(const std::filesystem::path& run_dir);

}  // namespace descent::cli
