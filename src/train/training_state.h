// The state of a training run at a step boundary, as a checkpoint holds it: the model's weights and
// random streams, the optimizer's state and η, the schedule's state and how η was rescaled, and
// where fit() stands: epoch, next batch, step, the shuffle stream from which the epoch's order is
// redrawn, the epoch's running loss and metrics, batches skipped after a rollback, the history
// so far, and the state of each stateful callback (EarlyStopping's patience, ...). Restoring it and
// training on gives bitwise the same weights as never having stopped.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "core/random.h"
#include "core/state_dict.h"
#include "loss/metric.h"
#include "optim/schedule/schedule.h"
#include "train/callback.h"
#include "train/history.h"
#include "train/schedule_driver.h"

namespace descent {

class Model;

struct FitProgress {
  int epoch = 0;             // 0-based epoch in progress
  std::int64_t batch = 0;    // next batch of that epoch
  std::int64_t step = 0;     // optimizer steps taken
  Rng::State epoch_shuffle;  // the shuffle stream before this epoch's order was drawn
  double loss_sum = 0.0;     // the epoch's loss so far, weighted by batch size
  std::int64_t seen = 0;     // samples of the epoch so far
  bool finished = false;     // fit() returned normally (all epochs, or stopped by a callback)
  std::vector<std::pair<int, std::int64_t>> skipped;  // (epoch, batch) left out after a rollback
  History history;
};

// What must match between the run that wrote a checkpoint and the one that resumes it.
struct FitShape {
  std::int64_t train_samples;
  std::int64_t batch_size;
  bool shuffle;
};

class TrainingState {
 public:
  TrainingState(Model& model, ScheduleDriver& driver, Schedule* schedule,
                std::vector<std::unique_ptr<Metric>>& metrics,
                const std::vector<std::shared_ptr<Callback>>& callbacks, FitShape shape)
      : model_(model),
        driver_(driver),
        schedule_(schedule),
        metrics_(metrics),
        callbacks_(callbacks),
        shape_(shape) {}

  StateDict capture(const FitProgress& progress) const;
  // Loads `state` into the model, optimizer, schedule and metrics and returns where fit() stood.
  // Throws DataError when the checkpoint belongs to another model, optimizer, schedule, data or
  // set of stateful callbacks.
  FitProgress restore(const StateDict& state) const;
  // Loads the callbacks' part of `state`: apart from restore(), because on_train_begin resets
  // callbacks and a resumed fit() calls it after restore() has checked the whole checkpoint.
  void restore_callbacks(const StateDict& state) const;

 private:
  Model& model_;
  ScheduleDriver& driver_;
  Schedule* schedule_;
  std::vector<std::unique_ptr<Metric>>& metrics_;
  const std::vector<std::shared_ptr<Callback>>& callbacks_;
  FitShape shape_;
};

// The name of the first tensor of `state` holding NaN or ±inf, or an empty string.
std::string first_non_finite(const StateDict& state);

}  // namespace descent
