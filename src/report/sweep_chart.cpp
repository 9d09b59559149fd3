#include "report/sweep_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/non_finite.h"
#include "lr/smoothing.h"

namespace descent {
namespace {

void check(const SweepResult& result, const std::optional<SweepBound>& bound) {
  if (result.runs.empty()) throw InvalidArgument("sweep chart: the sweep has no runs");
  if (bound && !(std::isfinite(bound->lr) && bound->lr > 0))
    throw InvalidArgument(
        fmt::format("sweep chart: the η bound must be finite and > 0, got {}", bound->lr));
}

// `c` mixed with white by `amount` in [0, 1].
Color lighter(Color c, double amount) {
  return {c.r + (1 - c.r) * amount, c.g + (1 - c.g) * amount, c.b + (1 - c.b) * amount, c.a};
}

// Each run's colour: its verdict's, lighter for the smaller η among the runs of that verdict.
std::vector<Color> run_colors(const SweepResult& result) {
  std::map<Verdict, std::vector<double>> lrs;
  for (const SweepRun& run : result.runs)
    lrs[run.verdict].push_back(run.lr);
  for (auto& [verdict, values] : lrs)
    std::sort(values.begin(), values.end());
  std::vector<Color> out;
  for (const SweepRun& run : result.runs) {
    const auto& group = lrs[run.verdict];
    const auto rank = std::lower_bound(group.begin(), group.end(), run.lr) - group.begin();
    const double shade =
        group.size() > 1 ? 0.5 * (1.0 - double(rank) / double(group.size() - 1)) : 0.0;
    out.push_back(lighter(verdict_color(run.verdict), shade));
  }
  return out;
}

bool is_best(const SweepResult& result, const SweepRun& run) {
  return result.best_lr && run.lr == *result.best_lr;
}

std::string run_label(const SweepResult& result, const SweepRun& run,
                      const std::optional<SweepBound>& bound) {
  std::string label = fmt::format("η = {:.3g} ({}", run.lr, to_string(run.verdict));
  if (is_best(result, run)) label += ", best";
  if (bound && run.lr > bound->lr) label += ", above " + bound->label;
  return label + ")";
}

bool has_validation(const SweepResult& result) {
  return std::any_of(result.runs.begin(), result.runs.end(),
                     [](const SweepRun& r) { return std::isfinite(r.final_val_loss()); });
}

}  // namespace

Color verdict_color(Verdict verdict) {
  switch (verdict) {
    case Verdict::good:
      return {0.17, 0.63, 0.17};
    case Verdict::too_low:
      return {0.12, 0.47, 0.71};
    case Verdict::too_high:
      return {1.0, 0.50, 0.05};
    case Verdict::diverged:
      return {0.84, 0.15, 0.16};
  }
  return {0.5, 0.5, 0.5};
}

ChartSpec sweep_loss_chart(const SweepResult& result, const std::optional<SweepBound>& bound) {
  check(result, bound);
  ChartSpec spec;
  spec.title = "Learning-rate sweep: training loss per step";
  spec.x_label = "step";
  spec.y_label = "training loss (smoothed)";
  const std::vector<Color> colors = run_colors(result);
  const double beta = VerdictRules{}.smoothing;
  double lowest = kInf, highest = 0, initial = 0;
  for (std::size_t i = 0; i < result.runs.size(); ++i) {
    const SweepRun& run = result.runs[i];
    Series s;
    s.label = run_label(result, run, bound);
    s.color = colors[i];
    s.width = is_best(result, run) ? 3.5 : 1.5;
    std::vector<double> losses;
    for (const StepRecord& step : run.history.steps) {
      s.x.push_back(static_cast<double>(step.step));
      losses.push_back(step.loss);
    }
    s.y = smooth(losses, beta);
    if (!losses.empty() && std::isfinite(losses.front()))
      initial = std::max(initial, losses.front());
    for (double v : s.y) {
      if (!std::isfinite(v)) continue;
      lowest = std::min(lowest, v);
      if (run.verdict != Verdict::diverged) highest = std::max(highest, v);
    }
    spec.series.push_back(std::move(s));
  }
  highest = std::max(highest, 2 * initial);
  if (lowest > 0 && std::isfinite(lowest) && highest > lowest) {
    spec.y_scale = Scale::log;
    spec.y_range = std::make_pair(lowest / 1.15, highest * 1.15);
  } else if (std::isfinite(lowest) && highest > lowest) {
    spec.y_range = std::make_pair(lowest, highest + 0.05 * (highest - lowest));
  }
  return spec;
}

ChartSpec sweep_final_chart(const SweepResult& result, const std::optional<SweepBound>& bound) {
  check(result, bound);
  const bool validation = has_validation(result);
  const auto final_of = [validation](const SweepRun& run) {
    return validation ? run.final_val_loss() : run.final_loss();
  };
  ChartSpec spec;
  spec.title = validation ? "Final validation loss against η" : "Final training loss against η";
  spec.x_label = "learning rate η";
  spec.y_label = validation ? "validation loss" : "training loss";
  spec.x_scale = Scale::log;

  std::vector<const SweepRun*> order;
  for (const SweepRun& run : result.runs)
    order.push_back(&run);
  std::sort(order.begin(), order.end(),
            [](const SweepRun* a, const SweepRun* b) { return a->lr < b->lr; });
  Series line;
  line.color = Color{0.6, 0.6, 0.6};
  line.width = 1.0;
  double lo = kInf, hi = -kInf;
  for (const SweepRun* run : order) {
    const double v = final_of(*run);
    if (run->verdict == Verdict::diverged || !std::isfinite(v)) continue;
    line.x.push_back(run->lr);
    line.y.push_back(v);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) {  // every run diverged: nothing to scale by
    lo = 0;
    hi = 1;
  }
  // Margins around the data, a wider one on top: the row where diverged runs are drawn.
  double top_row = 0;
  if (lo > 0 && hi > 10 * lo) {
    spec.y_scale = Scale::log;
    top_row = hi * 1.6;
    spec.y_range = std::make_pair(lo / 1.3, hi * 2);
  } else {
    const double margin = hi > lo ? 0.1 * (hi - lo) : std::max(0.1 * std::abs(hi), 0.1);
    top_row = hi + 2 * margin;
    spec.y_range = std::make_pair(lo - margin, hi + 3 * margin);
  }
  spec.series.push_back(std::move(line));

  std::map<Verdict, bool> named;
  for (const SweepRun* run : order) {
    const double v = final_of(*run);
    const bool off_chart = run->verdict == Verdict::diverged || !std::isfinite(v);
    PointMarker p;
    p.x = run->lr;
    p.y = off_chart ? top_row : v;
    p.color = verdict_color(run->verdict);
    if (!named[run->verdict])
      p.label = run->verdict == Verdict::diverged ? "diverged (drawn at the top)"
                                                  : to_string(run->verdict);
    named[run->verdict] = true;
    spec.points.push_back(p);
  }
  double x_lo = order.front()->lr, x_hi = order.back()->lr;
  if (result.best_lr)
    spec.verticals.push_back({*result.best_lr, fmt::format("best η = {:.3g}", *result.best_lr),
                              verdict_color(Verdict::good), false});
  if (bound) {
    spec.verticals.push_back({bound->lr, bound->label, Color{0.35, 0.35, 0.35}, true});
    x_lo = std::min(x_lo, bound->lr);
    x_hi = std::max(x_hi, bound->lr);
  }
  const double pad = x_hi > x_lo ? 1.5 : 3.0;
  // Within the finite positive doubles: η = 1e308 is a valid, if hopeless, setting.
  spec.x_range = std::make_pair(std::max(x_lo / pad, std::numeric_limits<double>::min()),
                                std::min(x_hi * pad, std::numeric_limits<double>::max()));
  return spec;
}

std::vector<std::filesystem::path> write_sweep_charts(const SweepResult& result,
                                                      const std::filesystem::path& dir,
                                                      const std::optional<SweepBound>& bound) {
  std::vector<std::filesystem::path> out =
      write_png_and_svg(sweep_loss_chart(result, bound), dir, "sweep");
  for (auto& path : write_png_and_svg(sweep_final_chart(result, bound), dir, "sweep_final"))
    out.push_back(std::move(path));
  return out;
}

}  // namespace descent
