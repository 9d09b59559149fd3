// Checkpoints: the complete state of a training run, written while it trains so that a run killed
// at any moment resumes from its last checkpoint and ends bitwise identical to an uninterrupted one
// (docs/checkpoints.md). A checkpoint file is the weights-file container (train/weights_file.h:
// magic, version, header length, JSON header, raw tensors, CRC-32) with meta["kind"] =
// "descent-checkpoint"; training_state.h says what goes into it.
//
// CheckpointStore keeps a run's checkpoints in one directory as checkpoint-<step>.bin. Each is
// written atomically, and the oldest are deleted only once a newer one is complete, so a crash
// never leaves fewer loadable checkpoints than before.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/state_dict.h"

namespace descent {

void write_checkpoint(const std::filesystem::path& path, StateDict state);
// Throws IoError when the file cannot be read and DataError when it is damaged or is not a
// checkpoint.
StateDict read_checkpoint(const std::filesystem::path& path);

struct LoadedCheckpoint {
  StateDict state;
  std::filesystem::path path;
  std::vector<std::string> damaged;  // newer files passed over, each with the reason
};

class CheckpointStore {
 public:
  // Creates `dir` if needed and removes temporary files that a killed writer left behind.
  // `keep` >= 1 is how many checkpoints stay on disk.
  CheckpointStore(std::filesystem::path dir, int keep);

  // Writes the checkpoint of `step`, then deletes all but the newest `keep`.
  std::filesystem::path save(std::int64_t step, StateDict state);
  // The checkpoint files, oldest first.
  std::vector<std::filesystem::path> files() const;
  // The newest checkpoint that reads back intact; nullopt when there is none. A damaged newer file
  // is passed over for an older one (a disk fault, not a crash: writes are atomic).
  std::optional<LoadedCheckpoint> load_latest() const;

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  int keep_;
};

}  // namespace descent
