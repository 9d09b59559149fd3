#include "lr/sweep_choice.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

bool stable(const SweepRun& run) {
  return run.verdict != Verdict::diverged && run.verdict != Verdict::too_high;
}

void add_reason(std::string& why, const std::string& step) {
  why += (why.empty() ? "" : "; then ") + step;
}

}  // namespace

SweepChoice choose_from_sweep(const SweepResult& result, bool by_validation, double tolerance) {
  const auto by_lr = [](const SweepRun& a, const SweepRun& b) { return a.lr < b.lr; };
  if (!result.best_lr || !std::is_sorted(result.runs.begin(), result.runs.end(), by_lr) ||
      !(tolerance >= 0))
    throw InvalidArgument(
        "choose_from_sweep: needs runs sorted by η, a best η and a tolerance >= 0");
  const auto loss_of = [&](const SweepRun& run) { return run.compared_loss(by_validation); };
  const auto runs = std::span(result.runs);
  const auto best = std::find_if(runs.begin(), runs.end(),
                                 [&](const SweepRun& r) { return r.lr == *result.best_lr; });
  SweepChoice choice{.lr = best->lr, .why = ""};

  auto anchor = best;
  if (!stable(*best)) {
    for (auto run = runs.begin(); run != runs.end(); ++run)
      if (stable(*run) && std::isfinite(loss_of(*run)) &&
          (!stable(*anchor) || loss_of(*run) < loss_of(*anchor)))
        anchor = run;
    if (anchor != best)
      add_reason(choice.why, fmt::format("the best run (η = {:.3g}) was {}; the best stable run "
                                         "was at η = {:.3g}",
                                         best->lr, to_string(best->verdict), anchor->lr));
  }
  const double limit = loss_of(*anchor) + tolerance * std::abs(loss_of(*anchor));
  auto chosen = anchor;
  if (stable(*anchor)) {
    chosen = std::find_if(runs.begin(), runs.end(),
                          [&](const SweepRun& r) { return stable(r) && loss_of(r) <= limit; });
    if (chosen != anchor)
      add_reason(choice.why,
                 fmt::format("the smallest η within {:.0f}% of the loss at η = {:.3g}, their "
                             "differences being noise",
                             100 * tolerance, anchor->lr));
  }
  const bool unstable_above = chosen + 1 != runs.end() && !stable(*(chosen + 1));
  if (unstable_above && chosen != runs.begin() && (chosen - 1)->verdict != Verdict::diverged) {
    add_reason(choice.why,
               fmt::format("one η down from {:.3g}, next to η = {:.3g}, which was {}: a final run "
                           "ten times longer is less stable",
                           chosen->lr, (chosen + 1)->lr, to_string((chosen + 1)->verdict)));
    --chosen;
  }
  choice.lr = chosen->lr;
  return choice;
}

}  // namespace descent
