// Callback: hooks into fit(), as in Keras. Any callback can stop training by setting
// model.stop_training = true; fit() finishes the current epoch's bookkeeping and returns.
#pragma once

#include <cstdint>
#include <optional>

#include "core/state_dict.h"
#include "train/history.h"
#include "train/logs.h"

namespace descent {

class Model;

// What fit() is about to do, as Keras's callback.params.
struct TrainParams {
  int epochs = 0;
  std::int64_t steps_per_epoch = 0;
  std::int64_t samples = 0;
  std::int64_t batch_size = 0;
};

class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(Model& /*model*/, const TrainParams& /*params*/) {}
  virtual void on_train_end(Model& /*model*/, const Logs& /*last_epoch*/) {}
  // `epoch` is 0-based, as in Keras.
  virtual void on_epoch_begin(Model& /*model*/, int /*epoch*/) {}
  // `logs` holds the epoch's loss, metrics, validation figures, "lr" and "seconds".
  virtual void on_epoch_end(Model& /*model*/, int /*epoch*/, Logs& /*logs*/) {}
  // After each optimizer step; `logs` holds the running "loss" and metrics of the epoch and "lr".
  virtual void on_batch_end(Model& /*model*/, std::int64_t /*batch*/, const Logs& /*logs*/) {}
  // After each optimizer step, before on_batch_end: that step's own loss and the η it used (the
  // range finder and the sweep's divergence guard need the raw per-step figures, not the epoch's
  // running mean).
  virtual void on_step_end(Model& /*model*/, const StepRecord& /*step*/) {}

  // What a checkpoint must hold to resume this callback exactly (EarlyStopping's patience count
  // and best weights, for one). Stateless callbacks return nothing and are left out of
  // checkpoints. meta["callback"] names the kind, so resuming with other callbacks is refused.
  virtual std::optional<StateDict> state_dict() const { return std::nullopt; }
  // fit() calls this after on_train_begin when it resumes, and when it rolls back. Throws
  // DataError when `state` was not written by this kind of callback with these settings.
  virtual void load_state_dict(const Model& /*model*/, const StateDict& /*state*/) {}
};

}  // namespace descent
