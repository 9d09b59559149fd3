// Checkpointer: fit()'s snapshots of the training state. Each one is written to the checkpoint
// directory (when the run has one) and, when divergence is rolled back, kept in memory as the last
// good state to return to. A snapshot whose weights are no longer finite is refused: nothing bad is
// ever saved.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "core/state_dict.h"
#include "train/checkpoint.h"
#include "train/training_state.h"

namespace descent {

class Checkpointer {
 public:
  // `dir` empty: no files. `keep_last_good`: hold the newest snapshot for a rollback.
  Checkpointer(const TrainingState& state, const std::filesystem::path& dir, int keep,
               bool keep_last_good);

  // Snapshots `progress`; false (and nothing saved) when a weight is NaN or infinite.
  bool save(const FitProgress& progress);
  // Holds `progress` as the last good state without writing it (where a run starts or resumes).
  void hold(const FitProgress& progress);
  // The newest good snapshot; only with keep_last_good.
  const StateDict& last_good() const { return *last_good_; }

 private:
  const TrainingState& state_;
  std::optional<CheckpointStore> store_;
  bool keep_last_good_;
  std::optional<StateDict> last_good_;
  std::int64_t last_saved_step_ = -1;
};

}  // namespace descent
