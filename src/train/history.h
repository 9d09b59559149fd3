// History: what a training run did, epoch by epoch and step by step. fit() returns it; the run
// directory stores it as CSV and JSON (epoch: loss, metrics, validation figures, η at the epoch's
// end, wall seconds; step: loss, η).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "train/logs.h"

namespace descent {

struct StepRecord {
  std::int64_t step;   // 1-based count of optimizer steps
  std::int32_t epoch;  // 1-based
  double loss;
  double lr;
};

// One recovery from a divergence (fit's on_divergence = rollback): the bad step, what was wrong,
// the step whose checkpoint was restored, and η before and after lowering it.
struct Recovery {
  std::int64_t step;
  std::int32_t epoch;  // 1-based
  std::int64_t batch;  // 0-based within the epoch; skipped from then on
  std::string reason;
  std::int64_t restored_step;
  double lr_before;
  double lr_after;
};

struct History {
  std::vector<Logs> epochs;  // each holds "epoch", "loss", metrics, "val_*", "lr", "seconds"
  std::vector<StepRecord> steps;
  std::vector<Recovery> recoveries;
  bool diverged = false;
  std::string divergence;  // what happened, for a person: step, η, value

  // Values of one column across epochs (NaN where an epoch lacks it).
  std::vector<double> column(const std::string& name) const;
  nlohmann::json to_json() const;
  // Reads to_json()'s output back (a checkpoint holds the history of the run so far).
  static History from_json(const nlohmann::json& json);
  void write_epochs_csv(const std::filesystem::path& path) const;
  void write_steps_csv(const std::filesystem::path& path) const;
};

}  // namespace descent
