#include "lr/successive_halving.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

std::vector<double> promoted(const SweepResult& rung, bool by_validation) {
  std::vector<const SweepRun*> stable, too_high;
  for (const SweepRun& run : rung.runs) {
    if (!std::isfinite(run.compared_loss(by_validation))) continue;
    if (run.verdict == Verdict::too_high)
      too_high.push_back(&run);
    else if (run.verdict != Verdict::diverged)
      stable.push_back(&run);
  }
  std::vector<const SweepRun*>& candidates = stable.empty() ? too_high : stable;
  std::stable_sort(candidates.begin(), candidates.end(), [&](const SweepRun* a, const SweepRun* b) {
    return a->compared_loss(by_validation) < b->compared_loss(by_validation);
  });
  const std::size_t keep = (rung.runs.size() + kHalvingFactor - 1) / kHalvingFactor;
  std::vector<double> out;
  for (std::size_t i = 0; i < std::min(keep, candidates.size()); ++i)
    out.push_back(candidates[i]->lr);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<SweepResult> run_successive_halving(
    const std::vector<double>& grid, int rungs, bool by_validation,
    const std::function<SweepResult(int rung, const std::vector<double>& lrs)>& run_rung) {
  if (rungs < 1 || grid.size() < 2)
    throw InvalidArgument(fmt::format(
        "successive halving needs >= 1 rung and >= 2 η, got {} and {}", rungs, grid.size()));
  std::vector<SweepResult> out{run_rung(0, grid)};
  for (int r = 1; r < rungs; ++r) {
    const std::vector<double> lrs = promoted(out.back(), by_validation);
    if (lrs.empty()) break;
    out.push_back(run_rung(r, lrs));
  }
  return out;
}

PickedRung rung_to_pick_from(const std::vector<SweepResult>& rungs, bool by_validation) {
  if (rungs.empty()) throw InvalidArgument("rung_to_pick_from: no rungs");
  for (std::size_t r = rungs.size(); r-- > 0;) {
    PickedRung picked{.rung = r, .result = rungs[r]};
    picked.result.best_lr.reset();
    double best_loss = INFINITY;
    for (SweepRun& run : picked.result.runs) {
      for (std::size_t later = r + 1; later < rungs.size(); ++later)
        for (const SweepRun& longer : rungs[later].runs)
          if (longer.lr == run.lr &&
              (longer.verdict == Verdict::diverged || longer.verdict == Verdict::too_high) &&
              run.verdict != Verdict::diverged) {
            run.verdict = longer.verdict;
            run.reason = fmt::format("when trained longer (rung {}): {}", later + 1, longer.reason);
          }
      const double loss = run.compared_loss(by_validation);
      if (run.verdict != Verdict::diverged && std::isfinite(loss) && loss < best_loss) {
        best_loss = loss;
        picked.result.best_lr = run.lr;
      }
    }
    if (picked.result.best_lr || r == 0) return picked;
  }
  return {};  // not reached: rung 0 returns
}

std::int64_t halving_rung_steps(std::int64_t base_steps, int rung, int rungs,
                                std::int64_t final_steps) {
  if (rungs < 1 || rung < 0 || rung >= rungs || base_steps < 1 || final_steps < 1)
    throw InvalidArgument(fmt::format(
        "halving_rung_steps: needs 0 <= rung < rungs and steps >= 1, got rung {} of {}, {} and "
        "{} steps",
        rung, rungs, base_steps, final_steps));
  const double scale = rungs == 1 ? 1.0 : std::pow(kHalvingFactor, rung - 1);
  const auto steps =
      static_cast<std::int64_t>(std::llround(scale * static_cast<double>(base_steps)));
  return std::clamp<std::int64_t>(steps, 1, final_steps);
}

}  // namespace descent
