// The fixed training run that fuzz_checkpoint resumes: a checkpoint is valid for it only if this
// model, optimizer, schedule, metric and data wrote it. The valid seeds in
// fuzz/corpus/fuzz_checkpoint come from training this run with checkpoint_dir set. The model has a
// dropout layer and the schedule a ReduceLROnPlateau inside a SequentialLR, so that a checkpoint
// carries random streams and composite, observed schedule state. The run optionally has stateful
// callbacks (EarlyStopping keeping its best weights, and ReduceLROnPlateauCallback); the seeds
// named valid_callbacks_* hold their state.
#pragma once

#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/synthetic.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "optim/adam.h"
#include "optim/schedule/make_schedule.h"
#include "train/callbacks/early_stopping.h"
#include "train/callbacks/reduce_lr_on_plateau.h"
#include "train/model.h"

namespace descent::fuzz {

inline Dataset checkpoint_run_data() {
  return moons(8, 0.1, 1);
}

struct CheckpointRun {
  Model model{3};
  std::shared_ptr<Schedule> schedule;
  std::vector<std::shared_ptr<Callback>> callbacks;

  explicit CheckpointRun(bool with_callbacks) {
    if (with_callbacks)
      callbacks = {std::make_shared<EarlyStopping>(EarlyStoppingOptions{
                       .monitor = "loss", .patience = 1, .restore_best_weights = true}),
                   std::make_shared<ReduceLROnPlateauCallback>(
                       ReduceLROnPlateauCallbackOptions{.monitor = "loss", .patience = 1})};
    model.add(Dense(4, {.activation = "relu", .input_shape = {2}}));
    model.add(Dropout(0.25f));
    model.add(Dense(2, {.activation = "softmax"}));
    model.compile<Adam>({.lr = 0.01}, "sparse_categorical_crossentropy", {"accuracy"});
    const nlohmann::json warmup = {{"name", "LinearLR"},
                                   {"params", {{"start_factor", 0.5}, {"total_iters", 2}}}};
    const nlohmann::json decay = {
        {"name", "ReduceLROnPlateau"},
        {"params",
         {{"patience", 0},
          {"inner", {{"name", "CosineDecay"}, {"params", {{"decay_steps", 4}, {"alpha", 0.1}}}}}}}};
    schedule = make_schedule("SequentialLR", {{"schedules", {warmup, decay}}, {"milestones", {2}}},
                             0.01, 6);
  }

  // Two epochs of two batches.
  FitOptions fit_options() const {
    return {.epochs = 2,
            .batch_size = 4,
            .callbacks = callbacks,
            .verbose = 0,
            .schedule = schedule,
            .schedule_monitor = "loss"};
  }
};

}  // namespace descent::fuzz
