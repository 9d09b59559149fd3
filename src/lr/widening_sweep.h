// A sweep that follows its best η past the edge of its grid. A sweep whose best run sits at its
// lowest or highest η says only that the best η may lie further out; tune then adds `points` more
// η beyond that edge, continuing the grid's log spacing, and judges all runs together, up to
// `max_widenings` times.
//
//   WideningSweep s = run_widening_sweep(make, train, log_spaced(0.01, 0.3, 5), options, {});
//   s.lrs;         // every η in the order it was run (the initial grid first): run i is lrs[i]
//   s.result.runs; // sorted by η, verdicts over all runs
//   s.widenings;   // how many times the grid grew
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "lr/sweep.h"

namespace descent {

struct Widening {
  int max_widenings = 2;  // 0: the grid as given
  int points = 2;         // η added beyond the edge each time
};

struct WideningSweep {
  SweepResult result;       // runs sorted by η
  std::vector<double> lrs;  // in the order they were run: the index of SweepOptions::on_run_end
  int widenings = 0;
};

// Runs run_sweep() over `lrs`, then over the widened grid while its best η is at an edge.
// `saved(lrs)` gives the runs an earlier attempt finished, by index into `lrs` (a resumed tune:
// the same results lead to the same widenings, so the indices agree); options.finished is
// ignored. Throws as run_sweep() does; InvalidArgument for a grid of fewer than 2 η or a widening
// with max_widenings < 0 or points < 1.
WideningSweep run_widening_sweep(
    const std::function<std::unique_ptr<Model>(double lr)>& make_model, const Dataset& train,
    std::vector<double> lrs, SweepOptions options, const Widening& widening,
    const std::function<std::vector<std::optional<SweepRun>>(const std::vector<double>&)>& saved =
        {});

// The η beyond the edge where the best of `result` lies (`points` of them, the grid's log
// spacing at that edge continued outwards), or none when the best η is inside the grid, no run
// is best, or the next η would not be a positive finite number.
std::vector<double> beyond_the_edge(const SweepResult& result, int points);

}  // namespace descent
