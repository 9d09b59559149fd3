// The sections of the report page, one writer each (each in its own .cpp). `level` is the
// heading level of the section: 3 in a run directory, 4 in a stage of a tune directory. Every
// writer reads its file through a JsonView, so a damaged file is a DataError naming the field.
// The charts are the ones the commands draw as PNG/SVG (report/*_chart.h, training_charts.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "report/html/page.h"
#include "report/json_view.h"
#include "report/report_inputs.h"
#include "report/sweep_chart.h"

namespace descent::html {

// A config.json and the name it is shown under ("config.json", "sweep/config.json").
struct NamedConfig {
  std::string name;
  JsonView config;
};

// The configurations, each a table of dotted names and values in a closed <details>: the page
// ends with them (nothing when `configs` is empty).
void write_config_section(HtmlPage& page, const std::vector<NamedConfig>& configs, int level);

// lr_finder.json: loss and smoothed loss against η with a dot for each suggestion, the
// suggestions with their reasons, why the test stopped, and its options.
void write_finder_section(HtmlPage& page, const JsonView& finder, int level);

// sweep.json: every run's loss per step coloured by verdict, the final loss against η with the
// best η and the bound, and the table of runs with verdicts. sweep.json's own "lr_bound" wins
// over `bound`.
void write_sweep_section(HtmlPage& page, const JsonView& sweep, std::optional<SweepBound> bound,
                         int level);

// history.json (and results.json when given): loss per step, metrics per epoch (training against
// validation), η per step, the final and test figures, and the epochs as a table.
void write_training_section(HtmlPage& page, const JsonView& history,
                            const std::optional<JsonView>& results, int level);

// sharpness.json: λmax, the bound 2/λmax (2(1+μ)/λmax with momentum), convergence, and the
// power-iteration estimates.
void write_sharpness_section(HtmlPage& page, const JsonView& sharpness, int level);
// The bound to draw on a sweep, from sharpness.json: 2(1+μ)/λmax with momentum μ, else 2/λmax;
// nullopt when it is not finite and > 0 (λmax ≤ 0 bounds nothing).
std::optional<SweepBound> sharpness_bound(const JsonView& sharpness);

// A tune directory's summary: the chosen η and why (its results.json), and which stages ran.
void write_tune_summary(HtmlPage& page, const RunInputs& tune, int level);

}  // namespace descent::html
