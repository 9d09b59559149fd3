// Training charts: the pictures of one training run, drawn from its History.
//
//   loss    per-step training loss (light) with a smoothed line, the epoch's training and
//           validation loss at the epoch's last step, a marker where the run diverged;
//           log y axis when the loss spans more than a decade
//   metrics each epoch metric other than loss, lr, seconds and epoch, training against
//           validation ("accuracy" with "val_accuracy"), one panel per metric
//   lr      η at every step (per epoch when no steps were recorded); log y axis when η spans
//           more than a decade
#pragma once

#include <filesystem>
#include <vector>

#include "report/chart.h"
#include "train/history.h"

namespace descent {

// The chart specifications, for callers that lay charts out themselves (the HTML report).
// loss_chart and lr_chart return nullopt when the history has no loss or η to draw;
// metric_charts returns one panel per metric (none when there are none).
std::optional<ChartSpec> loss_chart(const History& history);
std::optional<ChartSpec> lr_chart(const History& history);
std::vector<ChartSpec> metric_charts(const History& history);

// Writes loss.png/.svg, metrics.png/.svg and lr.png/.svg into `dir` (created if missing), leaving
// out the charts with nothing to draw, and returns the files written. IoError when `dir` or a
// file cannot be written.
std::vector<std::filesystem::path> write_training_charts(const History& history,
                                                         const std::filesystem::path& dir);

}  // namespace descent
