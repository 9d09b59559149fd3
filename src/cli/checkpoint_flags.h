// The flags of the commands that train for long: checkpoints (--checkpoint-every, --keep) and what
// to do when the loss or a gradient stops being finite (--on-divergence, --rollback-factor,
// --max-rollbacks), and the rule of --resume. docs/checkpoints.md describes them.
#pragma once

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "train/model.h"

namespace descent::cli {

struct CheckpointFlags {
  std::int64_t every = 0;  // steps; 0: at each epoch's end only
  int keep = 3;
  std::string on_divergence = "stop";
  double rollback_factor = 0.5;
  int max_rollbacks = 3;
};

void add_checkpoint_flags(CLI::App& command, CheckpointFlags& flags);

// Throws InvalidArgument naming the flag for a bad value: called before a command writes anything.
void check_checkpoint_flags(const CheckpointFlags& flags);

// Sets `fit` to write checkpoints into run_dir/checkpoints and to handle divergence as asked.
// Throws InvalidArgument naming the flag for a bad value.
void apply_checkpoint_flags(const CheckpointFlags& flags, const std::filesystem::path& run_dir,
                            FitOptions& fit);

nlohmann::json to_json(const CheckpointFlags& flags);
CheckpointFlags checkpoint_flags_from_json(const nlohmann::json& json);

// --resume takes every setting from the run it continues: throws InvalidArgument naming any flag of
// `command` given besides --resume, --json and --quiet.
void refuse_settings_with_resume(const CLI::App& command);

// Where a run directory keeps its checkpoints.
std::filesystem::path checkpoint_dir(const std::filesystem::path& run_dir);

}  // namespace descent::cli
