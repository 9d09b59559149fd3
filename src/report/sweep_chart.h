// Sweep charts: the runs of a learning-rate sweep (lr/sweep.h) side by side.
//
//   loss    every run's training loss per step, smoothed as the verdicts judge it (β of
//           VerdictRules), on a log axis, coloured by verdict (good green, too low blue, too
//           high orange, diverged red; runs of one verdict in lighter to darker shades as η
//           grows), the best run bold, legend "η = 0.01 (good)". The y axis spans the
//           non-diverged runs and twice the initial loss, so a diverged run leaves the chart
//           upwards instead of squashing the others.
//   final   the final validation loss (training loss without validation) against η on a log
//           axis, one dot per run in its verdict's colour joined by a grey line, diverged runs
//           as red dots in a row above the others, a green line at the best η.
//
// An η bound (2/λmax from lr/sharpness.h) can be drawn on the final chart as a dashed vertical
// line; on the loss chart the runs above it say so in the legend.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lr/sweep.h"
#include "report/chart.h"

namespace descent {

struct SweepBound {
  double lr;          // finite and > 0
  std::string label;  // e.g. "2/λmax = 0.43"
};

// The colour of a verdict.
Color verdict_color(Verdict verdict);

// The two charts; InvalidArgument when the result has no runs or the bound is not finite and > 0.
ChartSpec sweep_loss_chart(const SweepResult& result,
                           const std::optional<SweepBound>& bound = std::nullopt);
ChartSpec sweep_final_chart(const SweepResult& result,
                            const std::optional<SweepBound>& bound = std::nullopt);

// Writes sweep.png/.svg (loss) and sweep_final.png/.svg (final) into `dir` (which must exist) and
// returns the files written. IoError when a file cannot be written.
std::vector<std::filesystem::path> write_sweep_charts(
    const SweepResult& result, const std::filesystem::path& dir,
    const std::optional<SweepBound>& bound = std::nullopt);

}  // namespace descent
