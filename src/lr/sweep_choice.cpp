#include "lr/sweep_choice.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

SweepChoice choose_from_sweep(const SweepResult& result, const SweepConfidence& confidence) {
  const auto by_lr = [](const SweepRun& a, const SweepRun& b) { return a.lr < b.lr; };
  if (!result.best_lr || confidence.near_best.empty() ||
      !std::is_sorted(result.runs.begin(), result.runs.end(), by_lr))
    throw InvalidArgument("choose_from_sweep: needs runs sorted by η, a best η and its confidence");
  SweepChoice choice{.lr = confidence.near_best.front(), .why = ""};
  if (choice.lr != *result.best_lr)
    choice.why = fmt::format(
        "the smallest η within {:.0f}% of the best loss (at η = {:.3g}), their differences being "
        "noise",
        100 * confidence.tolerance, *result.best_lr);
  const auto at = std::find_if(result.runs.begin(), result.runs.end(),
                               [&](const SweepRun& r) { return r.lr == choice.lr; });
  const bool unstable_above =
      at + 1 != result.runs.end() &&
      ((at + 1)->verdict == Verdict::diverged || (at + 1)->verdict == Verdict::too_high);
  if (unstable_above && at != result.runs.begin() && (at - 1)->verdict != Verdict::diverged) {
    choice.why = fmt::format(
        "{}one η down from {:.3g}, next to η = {:.3g}, which was {}: a final run ten times longer "
        "is less stable",
        choice.why.empty() ? "" : choice.why + "; then ", choice.lr, (at + 1)->lr,
        to_string((at + 1)->verdict));
    choice.lr = (at - 1)->lr;
  }
  return choice;
}

}  // namespace descent
