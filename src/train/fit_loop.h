// FitLoop: one call of Model::fit, written as the algorithm reads:
//
//   for each epoch:                       run_epoch()
//     for each batch:                     train_step(): gather, forward, loss, backward,
//                                         finiteness check, optimizer step
//     the epoch's figures and callbacks   end_epoch(): validation, schedule, checkpoint
//
// A step whose loss or gradient is not finite goes to diverged(): the run stops, or rolls back to
// the last good snapshot (Checkpointer) with η lowered, as the DivergencePolicy says.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/batches.h"
#include "train/checkpointer.h"
#include "train/model.h"
#include "train/schedule_driver.h"
#include "train/training_state.h"

namespace descent {

class FitLoop {
 public:
  // `train` and `validation` (may be null) must outlive the loop.
  FitLoop(Model& model, const Dataset& train, const Dataset* validation, const FitOptions& options);
  History run();

 private:
  void run_epoch();
  void begin_epoch();
  // One optimizer step on batch `b` of the epoch; false when it diverged (and was handled).
  bool train_step(std::int64_t b);
  void end_epoch();
  // Stops the run, or rolls it back to the last good snapshot with η lowered.
  void diverged(const std::string& what, double value, double lr);
  void give_up(const std::string& what, double value, double lr);
  bool skipped(std::int64_t b) const;

  Model& model_;
  Optimizer& optimizer_;
  const Dataset& train_;
  const Dataset* validation_;
  const FitOptions& options_;
  std::vector<std::unique_ptr<Metric>> metrics_;
  std::vector<std::shared_ptr<Callback>> callbacks_;
  std::vector<Parameter> params_;
  Rng shuffle_rng_;
  BatchOrder order_;
  ScheduleDriver schedule_;
  TrainingState state_;
  Checkpointer checkpointer_;
  FitProgress p_;
  Variable x_;
  Tensor y_;
  Logs batch_logs_;
  Logs epoch_logs_;
  std::chrono::steady_clock::time_point epoch_start_;
};

}  // namespace descent
