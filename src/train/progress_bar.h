// ProgressBar: Keras's per-epoch progress line, on standard error so that standard output stays
// free for results (and for --json):
//   Epoch 2/5
//   312/469 [===================>..........] - ETA: 1s - loss: 0.4123 - accuracy: 0.8512 - lr: 0.1
// ending with the epoch's time per step and its validation figures. On a terminal the line is
// redrawn in place; otherwise (logs, CI) only the finished line of each epoch is printed.
#pragma once

#include <chrono>
#include <cstdio>

#include "train/callback.h"

namespace descent {

class ProgressBar : public Callback {
 public:
  // verbose 1: bar; 2: one line per epoch (as Keras).
  explicit ProgressBar(int verbose = 1, std::FILE* out = stderr);

  void on_train_begin(Model& model, const TrainParams& params) override;
  void on_epoch_begin(Model& model, int epoch) override;
  void on_batch_end(Model& model, std::int64_t batch, const Logs& logs) override;
  void on_epoch_end(Model& model, int epoch, Logs& logs) override;

 private:
  void draw(std::int64_t done, const Logs& logs, bool final_line, const Logs* epoch_logs);

  int verbose_;
  std::FILE* out_;
  bool terminal_;
  int epochs_ = 0;
  std::int64_t steps_per_epoch_ = 0;
  std::chrono::steady_clock::time_point epoch_start_, last_draw_;
  Logs last_batch_;
  std::int64_t batches_done_ = 0;
};

}  // namespace descent
