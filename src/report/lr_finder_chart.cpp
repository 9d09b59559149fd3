#include "report/lr_finder_chart.h"
#include "core/non_finite.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace descent {
namespace {

// The highest finite value up to the series' lowest one (its flat start, not its blow-up).
double high_before_lowest(const std::vector<double>& values) {
  std::size_t lowest = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (std::isfinite(values[i]) && (!std::isfinite(values[lowest]) || values[i] < values[lowest]))
      lowest = i;
  double high = -kInf;
  for (std::size_t i = 0; i <= lowest && i < values.size(); ++i)
    if (std::isfinite(values[i])) high = std::max(high, values[i]);
  return high;
}

// From the lowest loss drawn to the top of the flat start of the smoothed (and validation) loss,
// with a margin; nullopt when nothing finite is drawn.
std::optional<std::pair<double, double>> clipped_range(const LrFinderResult& r) {
  double lo = kInf;
  for (const auto* column : {&r.loss, &r.smoothed, &r.val_loss})
    for (double v : *column)
      if (std::isfinite(v)) lo = std::min(lo, v);
  const double hi = std::max(high_before_lowest(r.smoothed), high_before_lowest(r.val_loss));
  if (!std::isfinite(lo) || !std::isfinite(hi)) return std::nullopt;
  const double span = std::max(hi - lo, 1e-6 * std::max(1.0, std::abs(hi)));
  return std::pair{lo - 0.05 * span, hi + 0.25 * span};
}

// A colour per rule for the suggestions not picked (red is the picked one's).
Color rule_color(const std::string& rule) {
  const auto& rules = suggestion_rules();
  const auto i =
      static_cast<std::size_t>(std::find(rules.begin(), rules.end(), rule) - rules.begin());
  constexpr std::size_t kColors[] = {1, 4, 5};
  return palette_color(kColors[i % 3]);
}

}  // namespace

ChartSpec lr_finder_chart(const LrFinderResult& r) {
  ChartSpec spec{.title = fmt::format("Learning-rate range test: suggested η = {:.3g} ({})",
                                      r.suggested.lr, r.suggested.rule),
                 .x_label = "η",
                 .y_label = "loss",
                 .x_scale = Scale::log,
                 .y_range = clipped_range(r)};
  Color light = palette_color(0);
  light.a = 0.3;
  spec.series.push_back(
      {.label = "loss (step)", .x = r.lr, .y = r.loss, .color = light, .width = 1});
  spec.series.push_back({.label = "loss (smoothed)",
                         .x = r.lr,
                         .y = r.smoothed,
                         .color = palette_color(0),
                         .width = 2.5});
  if (!r.val_loss.empty())
    spec.series.push_back(
        {.label = "val_loss", .x = r.lr, .y = r.val_loss, .color = palette_color(2), .width = 1.5});
  for (const LrSuggestion& s : r.suggestions) {
    if (s.rule == r.suggested.rule) continue;
    spec.points.push_back({.x = s.lr,
                           .y = s.loss,
                           .label = fmt::format("{}: η = {:.3g}", s.rule, s.lr),
                           .color = rule_color(s.rule)});
  }
  spec.points.push_back(
      {.x = r.suggested.lr,
       .y = r.suggested.loss,
       .label = fmt::format("{}: η = {:.3g} (suggested)", r.suggested.rule, r.suggested.lr)});
  return spec;
}

std::vector<std::filesystem::path> write_lr_finder_chart(const LrFinderResult& result,
                                                         const std::filesystem::path& dir) {
  return write_png_and_svg(lr_finder_chart(result), dir, "lr_finder");
}

}  // namespace descent
