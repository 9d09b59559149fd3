#include "train/checkpointer.h"

#include <utility>

namespace descent {

Checkpointer::Checkpointer(const TrainingState& state, const std::filesystem::path& dir, int keep,
                           bool keep_last_good)
    : state_(state), keep_last_good_(keep_last_good) {
  if (!dir.empty()) store_.emplace(dir, keep);
}

bool Checkpointer::save(const FitProgress& progress) {
  if (!store_ && !keep_last_good_) return true;
  StateDict snapshot = state_.capture(progress);
  if (!first_non_finite(snapshot).empty()) return false;
  // A step saved already (the epoch's end right after a periodic checkpoint) is not written twice.
  if (store_ && progress.step != last_saved_step_) store_->save(progress.step, snapshot);
  last_saved_step_ = progress.step;
  if (keep_last_good_) last_good_ = std::move(snapshot);
  return true;
}

void Checkpointer::hold(const FitProgress& progress) {
  if (keep_last_good_) last_good_ = state_.capture(progress);
}

}  // namespace descent
