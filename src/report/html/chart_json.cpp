#include "report/html/chart_json.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iterator>

#include <fmt/format.h>

#include "report/html/envelope.h"

namespace descent::html {
namespace {

bool plottable(double value, Scale scale) {
  return std::isfinite(value) && (scale != Scale::log || value > 0);
}

nlohmann::json rounded(double value, Scale scale) {
  if (!plottable(value, scale)) return nullptr;
  return std::strtod(fmt::format("{:.6g}", value).c_str(), nullptr);
}

// The series' x and y arrays, a long one cut down to its envelope (envelope.h) by its drawable
// y values.
std::pair<nlohmann::json, nlohmann::json> series_points(const Series& s, Scale x_scale,
                                                        Scale y_scale) {
  const std::size_t n = std::min(s.x.size(), s.y.size());
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i)
    y[i] = plottable(s.y[i], y_scale) ? s.y[i] : NAN;
  std::pair<nlohmann::json, nlohmann::json> out{nlohmann::json::array(), nlohmann::json::array()};
  for (std::size_t i : envelope_indices(y)) {
    out.first.push_back(rounded(s.x[i], x_scale));
    out.second.push_back(rounded(s.y[i], y_scale));
  }
  return out;
}

nlohmann::json dash(LineStyle style) {
  switch (style) {
    case LineStyle::dashed:
      return {6, 4};
    case LineStyle::dotted:
      return {2, 3};
    case LineStyle::solid:
      break;
  }
  return nlohmann::json::array();
}

nlohmann::json range(const std::optional<std::pair<double, double>>& r) {
  if (!r) return nullptr;
  return {r->first, r->second};
}

}  // namespace

std::string css_color(const Color& c) {
  auto channel = [](double v) {
    return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255));
  };
  return fmt::format("rgba({},{},{},{:.3g})", channel(c.r), channel(c.g), channel(c.b),
                     std::clamp(c.a, 0.0, 1.0));
}

nlohmann::json chart_json(const ChartSpec& spec) {
  nlohmann::json out = {{"title", spec.title},
                        {"x_label", spec.x_label},
                        {"y_label", spec.y_label},
                        {"x_log", spec.x_scale == Scale::log},
                        {"y_log", spec.y_scale == Scale::log},
                        {"x_range", range(spec.x_range)},
                        {"y_range", range(spec.y_range)},
                        {"series", nlohmann::json::array()},
                        {"verticals", nlohmann::json::array()},
                        {"points", nlohmann::json::array()}};
  for (std::size_t i = 0; i < spec.series.size(); ++i) {
    const Series& s = spec.series[i];
    auto [x, y] = series_points(s, spec.x_scale, spec.y_scale);
    out["series"].push_back({{"label", s.label},
                             {"color", css_color(s.color.value_or(palette_color(i)))},
                             {"width", s.width},
                             {"dash", dash(s.style)},
                             {"markers", s.markers},
                             {"x", std::move(x)},
                             {"y", std::move(y)}});
  }
  for (const VerticalMarker& v : spec.verticals) {
    if (!std::isfinite(v.x) || (spec.x_scale == Scale::log && v.x <= 0)) continue;
    out["verticals"].push_back(
        {{"x", rounded(v.x, spec.x_scale)},
         {"label", v.label},
         {"color", css_color(v.color)},
         {"dash", v.dashed ? dash(LineStyle::dashed) : dash(LineStyle::solid)}});
  }
  for (const PointMarker& p : spec.points) {
    const std::string color = css_color(p.color);
    // An unlabelled point joins the group of its colour (the sweep names each verdict once).
    auto group = std::find_if(out["points"].begin(), out["points"].end(), [&](const auto& g) {
      return g["color"] == color && (p.label.empty() || g["label"] == p.label);
    });
    if (group == out["points"].end()) {
      out["points"].push_back({{"label", p.label},
                               {"color", color},
                               {"x", nlohmann::json::array()},
                               {"y", nlohmann::json::array()}});
      group = std::prev(out["points"].end());
    }
    (*group)["x"].push_back(rounded(p.x, spec.x_scale));
    (*group)["y"].push_back(rounded(p.y, spec.y_scale));
  }
  return out;
}

}  // namespace descent::html
