#include "lr/widening_sweep.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

std::vector<double> beyond_the_edge(const SweepResult& result, int points) {
  if (!result.best_lr || result.runs.size() < 2) return {};
  std::vector<double> grid;
  for (const SweepRun& run : result.runs)
    grid.push_back(run.lr);
  std::sort(grid.begin(), grid.end());
  double edge = 0;
  double step = 0;
  if (*result.best_lr == grid.front()) {
    edge = grid.front();
    step = grid[0] / grid[1];
  } else if (*result.best_lr == grid.back()) {
    edge = grid.back();
    step = grid.back() / grid[grid.size() - 2];
  } else {
    return {};
  }
  std::vector<double> out;
  for (int k = 1; k <= points; ++k) {
    const double lr = edge * std::pow(step, k);
    if (!(std::isfinite(lr) && lr > 0)) break;
    out.push_back(lr);
  }
  return out;
}

WideningSweep run_widening_sweep(
    const std::function<std::unique_ptr<Model>(double lr)>& make_model, const Dataset& train,
    std::vector<double> lrs, SweepOptions options, const Widening& widening,
    const std::function<std::vector<std::optional<SweepRun>>(const std::vector<double>&)>& saved) {
  if (lrs.size() < 2)
    throw InvalidArgument(fmt::format("a widening sweep needs at least 2 η, got {}", lrs.size()));
  if (widening.max_widenings < 0 || widening.points < 1)
    throw InvalidArgument(
        fmt::format("widening: max_widenings must be >= 0 and points >= 1, got {} and {}",
                    widening.max_widenings, widening.points));
  WideningSweep out;
  std::vector<std::optional<SweepRun>> done;  // the runs of the rounds before, by index
  for (;;) {
    options.finished = saved ? saved(lrs) : std::vector<std::optional<SweepRun>>{};
    options.finished.resize(lrs.size());
    for (std::size_t i = 0; i < done.size(); ++i)
      if (done[i]) options.finished[i] = done[i];
    out.result = run_sweep(make_model, train, lrs, options);
    if (out.widenings == widening.max_widenings) break;
    const std::vector<double> more = beyond_the_edge(out.result, widening.points);
    if (more.empty()) break;
    done.assign(out.result.runs.begin(), out.result.runs.end());
    lrs.insert(lrs.end(), more.begin(), more.end());
    ++out.widenings;
  }
  out.lrs = lrs;
  std::stable_sort(out.result.runs.begin(), out.result.runs.end(),
                   [](const SweepRun& a, const SweepRun& b) { return a.lr < b.lr; });
  return out;
}

}  // namespace descent
