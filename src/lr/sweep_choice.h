// tune's pick from its sweep, which is not simply the run with the lowest loss. Each rule below
// was measured on the tune-regret benchmark (docs/lr-benchmark.md) against the η a full grid of
// final runs finds best:
//   - among the runs whose loss came within the confidence tolerance of the best one's (the
//     near-best runs of lr/sweep_confidence.h), the smallest η: their differences are the
//     sweep's noise, and the final run, about ten times longer, is safer at the smaller η;
//   - one η down the grid when the next η up diverged or was unstable (verdict too high): a run
//     ten times longer than the sweep's is less stable at the same η, and a choice next to the
//     sweep's edge of stability diverged or overfitted in the final run.
#pragma once

#include <string>

#include "lr/sweep.h"
#include "lr/sweep_confidence.h"

namespace descent {

struct SweepChoice {
  double lr = 0;
  std::string why;  // empty when it is the best run's η; else the rule that moved it
};

// `result`'s runs sorted by η, as run_widening_sweep() leaves them, with a best η; `confidence`
// computed from it. Throws InvalidArgument otherwise.
SweepChoice choose_from_sweep(const SweepResult& result, const SweepConfidence& confidence);

}  // namespace descent
