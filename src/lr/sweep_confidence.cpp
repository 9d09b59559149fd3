#include "lr/sweep_confidence.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

nlohmann::json SweepConfidence::to_json() const {
  return {{"level", level},
          {"tolerance", tolerance},
          {"near_best", near_best},
          {"at_edge", at_edge},
          {"summary", summary}};
}

SweepConfidence sweep_confidence(const SweepResult& result, bool by_validation, double tolerance) {
  if (!result.best_lr) throw InvalidArgument("sweep_confidence: the sweep has no best η");
  if (!(tolerance >= 0))
    throw InvalidArgument(
        fmt::format("sweep_confidence: tolerance must be >= 0, got {}", tolerance));
  const auto loss_of = [&](const SweepRun& run) { return run.compared_loss(by_validation); };
  double best_loss = NAN;
  double lowest = INFINITY;
  double highest = 0;
  int finished = 0;
  for (const SweepRun& run : result.runs) {
    lowest = std::min(lowest, run.lr);
    highest = std::max(highest, run.lr);
    if (run.lr == *result.best_lr) best_loss = loss_of(run);
    if (run.verdict != Verdict::diverged && std::isfinite(loss_of(run))) ++finished;
  }
  SweepConfidence out;
  out.tolerance = tolerance;
  // Within tolerance of the best: a negative best loss (a regression's loss never is, but a
  // custom one may be) still gets a band of the same width.
  const double limit = best_loss + tolerance * std::abs(best_loss);
  for (const SweepRun& run : result.runs)
    if (run.verdict != Verdict::diverged && loss_of(run) <= limit) out.near_best.push_back(run.lr);
  std::sort(out.near_best.begin(), out.near_best.end());
  out.at_edge = *result.best_lr == lowest || *result.best_lr == highest;
  // Near-best runs with a worse one between them: the differences are within the sweep's noise.
  std::vector<const SweepRun*> by_lr;
  for (const SweepRun& run : result.runs)
    by_lr.push_back(&run);
  std::sort(by_lr.begin(), by_lr.end(), [](auto* a, auto* b) { return a->lr < b->lr; });
  std::vector<double> gaps;
  for (const SweepRun* run : by_lr) {
    const bool inside = run->lr > out.near_best.front() && run->lr < out.near_best.back();
    if (inside && !std::binary_search(out.near_best.begin(), out.near_best.end(), run->lr))
      gaps.push_back(run->lr);
  }
  const double span = out.near_best.back() / out.near_best.front();
  const std::string band =
      out.near_best.size() == 1
          ? fmt::format("no other run came within {:.0f}% of its loss", 100 * tolerance)
          : fmt::format("η from {:.3g} to {:.3g} came within {:.0f}% of the best loss",
                        out.near_best.front(), out.near_best.back(), 100 * tolerance);
  if (finished < 2) {
    out.level = "low";
    out.summary = "low: fewer than two runs finished without diverging, so nothing to compare";
  } else if (out.at_edge) {
    out.level = "low";
    out.summary = fmt::format(
        "low: the best η ({:.3g}) is the {} the sweep tried; a better one may lie beyond it",
        *result.best_lr, *result.best_lr == lowest ? "lowest" : "highest");
  } else if (!gaps.empty()) {
    out.level = "medium";
    out.summary = fmt::format(
        "medium: {}, but η = {:.3g} between them did worse: the differences are within the "
        "sweep's noise (longer sweep runs, --sweep-epochs, would tell them apart)",
        band, gaps.front());
  } else if (span > 10) {
    out.level = "medium";
    out.summary = fmt::format(
        "medium: {} (a factor {:.3g}): the loss is flat there, so the choice matters little, but "
        "the sweep does not pin the best η down",
        band, span);
  } else {
    out.level = "high";
    out.summary = fmt::format("high: the best η is inside the sweep and {}", band);
  }
  return out;
}

}  // namespace descent
