// A sweep run with only what the choice of η reads: its η, verdict and last validation loss, for
// tests of the rules that pick from a sweep (lr/sweep_confidence.h, lr/sweep_choice.h).
#pragma once

#include "lr/sweep.h"

namespace descent::testing {

inline SweepRun judged_run(double lr, double val_loss, Verdict verdict = Verdict::good) {
  SweepRun run{.lr = lr, .history = {}, .verdict = verdict, .reason = "", .seconds = 0};
  Logs epoch;
  epoch.set("val_loss", val_loss);
  run.history.epochs.push_back(epoch);
  return run;
}

}  // namespace descent::testing
