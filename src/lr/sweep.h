// Sweep: the same model trained once per learning rate η, side by side: from the same initial
// weights, with the same batch order, for the same number of epochs, runs in parallel on all
// cores. Each run gets a verdict (lr/verdict.h: good, too high, too low, diverged) and the sweep
// names the best η by validation loss.
//
//   auto make = [&](double lr) { ...build and compile a model with η = lr, seed fixed... };
//   SweepResult r = run_sweep(make, train, log_spaced(1e-4, 1, 8),
//                             {.epochs = 2, .validation = &test});
//   r.best_lr;            // lowest final validation loss among the runs that did not diverge
//   r.runs[0].verdict;    // Verdict::too_low
//
// Parallelism: `parallel` runs at once (0: num_threads() from core/parallel.h), over OpenMP
// threads; inside a run OpenMP loops and matrix products then use one thread each, so K runs use K
// cores instead of fighting over them. With one run at a time, each run uses every thread. A run's
// results do not depend on this: descent's sums are independent of the thread count (see
// docs/sweep.md for the check).
//
// Divergence: every run carries a guard (DivergenceGuard) that stops it at the step where the
// divergence rule of lr/verdict.h fires; its History then has diverged = true and divergence set
// to the reason.
//
// Progress (verbose >= 1): one line on standard error redrawn in place on a terminal (runs done,
// steps done, ETA), and one line per finished run (η, final losses or the divergence, seconds).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "lr/verdict.h"
#include "optim/schedule/schedule.h"
#include "train/history.h"
#include "train/model.h"

namespace descent {

// The best value over the epochs of a validation metric ("val_accuracy": the highest; any other:
// the lowest).
struct MetricValue {
  std::string name;
  double value;
};

struct SweepRun {
  double lr;
  History history;
  Verdict verdict;
  std::string reason;
  double seconds;  // wall time of this run's training

  // The last epoch's training loss (the epoch mean, as fit() logs it); NaN without epochs.
  double final_loss() const;
  // The last epoch's "val_loss"; NaN without validation.
  double final_val_loss() const;
  // What runs are compared by: final_val_loss() when the sweep had validation data, else
  // final_loss().
  double compared_loss(bool by_validation) const {
    return by_validation ? final_val_loss() : final_loss();
  }
  // The first validation metric other than val_loss, at its best epoch; nullopt without one.
  std::optional<MetricValue> best_val_metric() const;
};

struct SweepOptions {
  int epochs = 2;
  std::int64_t batch_size = 128;
  const Dataset* validation = nullptr;  // validation loss and metrics per epoch
  // η schedule for the run at `lr` (empty: constant η). Called once per run: every run gets its
  // own schedule object, with `lr` as its initial value.
  std::function<std::shared_ptr<Schedule>(double lr)> schedule = {};
  ScheduleInterval schedule_interval = ScheduleInterval::step;
  int parallel = 0;  // runs at once; 0 = all cores
  int verbose = 1;   // 0 silent, 1 progress on standard error
  VerdictRules rules = {};
  // Runs an earlier attempt finished (index i is the run at lrs[i]; nullopt or missing: train it),
  // taken as they are instead of trained again: a resumed sweep redoes only what was lost.
  std::vector<std::optional<SweepRun>> finished = {};
  // Called as each trained run ends (never for a finished one), never by two threads at once:
  // the place to save it.
  std::function<void(std::size_t index, const SweepRun& run)> on_run_end = {};
};

struct SweepResult {
  std::vector<SweepRun> runs;     // in the order of `lrs`
  std::optional<double> best_lr;  // lowest final validation loss (training loss without
                                  // validation) among runs that did not diverge

  // {"runs": [{"lr", "verdict", "reason", "seconds", "final_loss", "final_val_loss",
  //  "best_val_metric": {"name", "value"} or null, "history": History::to_json()}], "best_lr"}
  // with null for non-finite numbers and a missing best_lr. The caller adds "lr_bound" when a
  // sharpness bound was computed (docs/sweep.md).
  nlohmann::json to_json() const;
};

// make_model(lr) builds and compiles a fresh model with η = lr and the SAME initial weights and
// seed for every lr (so every run sees the same batch order). It is called once per run, never
// by two threads at once. Throws InvalidArgument when `lrs` is empty or holds an η that is not
// finite and > 0, or for bad options; an exception of a run is rethrown once the others stopped.
SweepResult run_sweep(const std::function<std::unique_ptr<Model>(double lr)>& make_model,
                      const Dataset& train, const std::vector<double>& lrs,
                      const SweepOptions& options);

// `count` values from `low` to `high` inclusive, evenly spaced on a log scale:
// log_spaced(1e-4, 1, 5) = {1e-4, 1e-3, 0.01, 0.1, 1}. Needs 0 < low < high, both finite, and
// count >= 2; else InvalidArgument.
std::vector<double> log_spaced(double low, double high, int count);

// sweep.csv: one row per run, "lr,verdict,final_loss,final_val_loss,best_val_<metric>,seconds,
// reason" (best_val_metric when no run has a validation metric); empty cells for NaN.
void write_sweep_csv(const SweepResult& result, const std::filesystem::path& path);
// sweep_steps.csv: every step of every run, "lr,step,epoch,loss".
void write_sweep_steps_csv(const SweepResult& result, const std::filesystem::path& path);

}  // namespace descent
