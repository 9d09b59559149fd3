// Successive halving: how tune's sweep spends its compute. Rung 0 trains every η of the grid
// briefly; the best third of them (by SweepRun::compared_loss) train again, three times longer;
// and so on, until the last rung trains its few survivors longest. Each rung restarts its runs
// from the same initial weights with the final schedule compressed to the rung's steps: a
// one-cycle run cannot be continued into a longer cycle.
//
//   std::vector<SweepResult> rungs = run_successive_halving(grid, 3, run_rung);
//   rungs[0].runs.size();  // 9 (every η)
//   rungs[1].runs.size();  // 3 (the best third, trained 3x longer)
//   rungs[2].runs.size();  // 1 (what tune's pick reads)
//
//   halving_rung_steps(30, 0, 3, 240);  // 10: a third of the one-rung sweep's 30 steps
//   halving_rung_steps(30, 2, 3, 240);  // 90
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "lr/sweep.h"

namespace descent {

inline constexpr int kHalvingFactor = 3;  // η kept per rung: a third; steps per run: 3x

// The η of `rung` that go on to the next rung, sorted: the best ceil(n / kHalvingFactor) by
// compared loss among the stable runs (neither diverged nor too high); only when no run is stable,
// among the too-high runs with a finite loss. Empty when every run diverged.
std::vector<double> promoted(const SweepResult& rung, bool by_validation);

// Runs `rungs` rungs (>= 1): run_rung(0, grid), then run_rung(r, promoted(rung r - 1)) for
// r = 1 .. rungs - 1, each result's runs sorted by η. Stops early, after the rung that has no run
// to promote. Throws InvalidArgument for rungs < 1 or a grid of fewer than 2 η.
std::vector<SweepResult> run_successive_halving(
    const std::vector<double>& grid, int rungs, bool by_validation,
    const std::function<SweepResult(int rung, const std::vector<double>& lrs)>& run_rung);

struct PickedRung {
  std::size_t rung = 0;  // index into the rungs
  SweepResult result;    // its runs, with the verdicts the longer rungs gave them
};

// The rung tune's pick reads: the last with a best η. A run of it that diverged or was judged too
// high in a later (longer) rung carries that verdict, and a diverged one is no best: the final
// run, longer still, is no safer at that η. The runs' order and losses are the rung's own.
PickedRung rung_to_pick_from(const std::vector<SweepResult>& rungs, bool by_validation);

// Optimizer steps of each run of `rung` out of `rungs`: with one rung `base_steps` (the plain
// sweep's); with more, rung 1 trains base_steps, rung 0 a third of it, each later rung 3x the
// one before; at least 1 and at most final_steps.
std::int64_t halving_rung_steps(std::int64_t base_steps, int rung, int rungs,
                                std::int64_t final_steps);

}  // namespace descent
