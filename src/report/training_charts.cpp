#include "report/training_charts.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include <fmt/format.h>

#include "core/error.h"
#include "core/non_finite.h"
#include "lr/smoothing.h"

namespace descent {
namespace {

constexpr int kFewSteps = 20;  // below this the raw per-step line is clear enough on its own

Color faded(Color c, double alpha) {
  c.a = alpha;
  return c;
}

// A log axis when every finite value is positive and they span more than a decade.
Scale scale_for(const std::vector<std::vector<double>>& columns) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0;
  for (const auto& column : columns)
    for (double v : column) {
      if (!std::isfinite(v)) continue;
      if (v <= 0) return Scale::linear;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  return hi > 10 * lo ? Scale::log : Scale::linear;
}

bool any_finite(const std::vector<double>& values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// The epoch numbers (the "epoch" column, else 1, 2, ...).
std::vector<double> epoch_numbers(const History& history) {
  std::vector<double> out;
  for (std::size_t i = 0; i < history.epochs.size(); ++i)
    out.push_back(history.epochs[i].get("epoch").value_or(static_cast<double>(i + 1)));
  return out;
}

// Where each epoch sits on a per-step x axis: its last step (NaN for an epoch without steps).
std::vector<double> epoch_end_steps(const History& history) {
  std::map<long long, double> last;
  for (const StepRecord& s : history.steps)
    last[s.epoch] = std::max(last[s.epoch], static_cast<double>(s.step));
  std::vector<double> out;
  for (double e : epoch_numbers(history)) {
    const auto it = last.find(std::llround(e));
    out.push_back(it == last.end() ? kNaN : it->second);
  }
  return out;
}

// EMA weight for n points: an effective window of about n/30 steps, at most 100.
double smoothing_beta(std::size_t n) {
  const double window = std::clamp(static_cast<double>(n) / 30.0, 1.0, 100.0);
  return 1.0 - 1.0 / window;
}

bool is_bookkeeping(const std::string& name) {
  return name == "loss" || name == "val_loss" || name == "lr" || name == "seconds" ||
         name == "epoch";
}

}  // namespace

std::optional<ChartSpec> loss_chart(const History& history) {
  std::vector<double> step_x, step_loss;
  for (const StepRecord& s : history.steps) {
    step_x.push_back(static_cast<double>(s.step));
    step_loss.push_back(s.loss);
  }
  const bool per_step = !history.steps.empty();
  const std::vector<double> epoch_x = per_step ? epoch_end_steps(history) : epoch_numbers(history);
  const std::vector<double> train = history.column("loss"), val = history.column("val_loss");
  if (!any_finite(step_loss) && !any_finite(train) && !any_finite(val)) return std::nullopt;

  ChartSpec spec{.title = "Loss",
                 .x_label = per_step ? "step" : "epoch",
                 .y_label = "loss",
                 .y_scale = scale_for({step_loss, train, val})};
  const Color blue = palette_color(0);
  if (per_step && step_loss.size() >= kFewSteps) {
    spec.series.push_back({.label = "loss (step)",
                           .x = step_x,
                           .y = step_loss,
                           .color = faded(blue, 0.3),
                           .width = 1});
    spec.series.push_back({.label = "loss (smoothed)",
                           .x = step_x,
                           .y = smooth(step_loss, smoothing_beta(step_loss.size())),
                           .color = blue,
                           .width = 2});
  } else if (per_step) {
    spec.series.push_back({.label = "loss (step)", .x = step_x, .y = step_loss, .color = blue});
  }
  if (any_finite(train))
    spec.series.push_back({.label = "loss (epoch)",
                           .x = epoch_x,
                           .y = train,
                           .color = palette_color(1),
                           .markers = true,
                           .width = 2});
  if (any_finite(val))
    spec.series.push_back({.label = "val_loss",
                           .x = epoch_x,
                           .y = val,
                           .color = palette_color(2),
                           .markers = true,
                           .width = 2});
  if (history.diverged && per_step)
    spec.verticals.push_back({.x = step_x.back(), .label = "diverged", .color = palette_color(3)});
  return spec;
}

std::optional<ChartSpec> lr_chart(const History& history) {
  std::vector<double> x, lr;
  const bool per_step = !history.steps.empty();
  if (per_step) {
    for (const StepRecord& s : history.steps) {
      x.push_back(static_cast<double>(s.step));
      lr.push_back(s.lr);
    }
  } else {
    x = epoch_numbers(history);
    lr = history.column("lr");
  }
  if (!any_finite(lr)) return std::nullopt;
  ChartSpec spec{.title = "Learning rate",
                 .x_label = per_step ? "step" : "epoch",
                 .y_label = "η",
                 .y_scale = scale_for({lr}),
                 .legend = false};
  spec.series.push_back({.label = "η", .x = x, .y = lr, .color = palette_color(4), .width = 2});
  return spec;
}

std::vector<ChartSpec> metric_charts(const History& history) {
  std::vector<std::string> names;  // in order of first appearance; "val_x" joins "x"
  for (const Logs& logs : history.epochs)
    for (const auto& [name, value] : logs.items()) {
      if (is_bookkeeping(name)) continue;
      const bool is_val = name.rfind("val_", 0) == 0;
      const std::string base = is_val ? name.substr(4) : name;
      if (std::find(names.begin(), names.end(), base) == names.end()) names.push_back(base);
    }
  const std::vector<double> x = epoch_numbers(history);
  std::vector<ChartSpec> out;
  for (const std::string& name : names) {
    const std::vector<double> train = history.column(name), val = history.column("val_" + name);
    ChartSpec spec{.title = name, .x_label = "epoch", .y_label = name};
    if (names.size() > 1) {
      spec.width = 640;
      spec.height = 400;
    }
    if (any_finite(train))
      spec.series.push_back({.label = name,
                             .x = x,
                             .y = train,
                             .color = palette_color(1),
                             .markers = true,
                             .width = 2});
    if (any_finite(val))
      spec.series.push_back({.label = "val_" + name,
                             .x = x,
                             .y = val,
                             .color = palette_color(2),
                             .markers = true,
                             .width = 2});
    if (!spec.series.empty()) out.push_back(std::move(spec));
  }
  return out;
}

std::vector<std::filesystem::path> write_training_charts(const History& history,
                                                         const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw IoError(fmt::format("cannot create chart directory {}: {}", dir.string(),
                              ec ? ec.message() : "not a directory"));
  std::vector<std::filesystem::path> written;
  auto write_both = [&](const std::string& name, const std::vector<ChartSpec>& panels) {
    const std::filesystem::path png = dir / (name + ".png"), svg = dir / (name + ".svg");
    const int cols = panels.size() > 1 ? 2 : 1;
    write_grid_png(panels, cols, png);
    written.push_back(png);
    write_grid_svg(panels, cols, svg);
    written.push_back(svg);
  };
  if (auto loss = loss_chart(history)) write_both("loss", {*loss});
  if (auto metrics = metric_charts(history); !metrics.empty()) write_both("metrics", metrics);
  if (auto lr = lr_chart(history)) write_both("lr", {*lr});
  return written;
}

}  // namespace descent
