// SweepProgress: the progress of a sweep on standard error, shared by the runs that train at
// once (thread-safe). A terminal gets one status line redrawn in place,
//   Sweep: 3/8 runs, 2814/7504 steps, ETA 12s
// and every finished run prints its own line above it,
//   [3/8] η = 0.01: loss 0.4123, val loss 0.4551 (3.2 s)
//   [4/8] η = 1: diverged, step 12: loss 9.31, smoothed 4.02 > 1.5 × start 2.3 (0.1 s)
// Elsewhere (logs, CI) only the finished runs' lines are printed.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>

#include "train/callback.h"
#include "train/history.h"

namespace descent {

class SweepProgress {
 public:
  // `steps_per_run`: optimizer steps of a run that trains to the end.
  SweepProgress(std::size_t runs, std::int64_t steps_per_run, bool enabled,
                std::FILE* out = stderr);

  // A callback counting the steps of one run.
  std::shared_ptr<Callback> step_counter();
  // A run ended (its unused steps count as done from now on).
  void run_finished(double lr, const History& history, double seconds);
  // Clears the status line.
  void finish();

 private:
  void count_step();
  void draw_status(bool force);

  std::mutex mutex_;
  std::size_t runs_, runs_done_ = 0;
  std::int64_t steps_per_run_, steps_total_, steps_done_ = 0;
  bool enabled_, terminal_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace descent
