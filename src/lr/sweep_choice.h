// tune's pick from its sweep, which is not simply the run with the lowest loss. Each rule below
// was measured on the tune-regret benchmark (docs/lr-benchmark.md) against the η a full grid of
// final runs finds best:
//   - never a run judged unstable (verdict too high) while a stable one exists: the lowest loss
//     among the stable runs anchors the choice instead (an unstable sweep run's final run once
//     ended at a test loss of 452);
//   - among the stable runs whose loss came within `tolerance` of the anchor's, the smallest η:
//     their differences are the sweep's noise, and the final run, about ten times longer, is
//     safer at the smaller η;
//   - one η down the grid when the next η up diverged or was unstable: a run ten times longer
//     than the sweep's is less stable at the same η, and a choice next to the sweep's edge of
//     stability diverged or overfitted in the final run.
#pragma once

#include <string>

#include "lr/sweep.h"

namespace descent {

struct SweepChoice {
  double lr = 0;
  std::string why;  // empty when it is the best run's η; else the rules that moved it
};

// `result`'s runs sorted by η, as run_widening_sweep() leaves them, with a best η; their loss is
// the final validation loss when `by_validation`, else the final training loss. Throws
// InvalidArgument otherwise or for a negative tolerance.
SweepChoice choose_from_sweep(const SweepResult& result, bool by_validation,
                              double tolerance = 0.05);

}  // namespace descent
