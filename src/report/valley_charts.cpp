#include "report/valley_charts.h"

#include <algorithm>
#include <cmath>
#include <span>

#include <fmt/format.h>

namespace descent {
namespace {

bool all_finite(const std::vector<double>& x) {
  return std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

std::vector<ChartSpec> valley_charts(const ValleyFunction& f, const std::vector<ValleyRun>& runs) {
  std::vector<ChartSpec> panels;
  for (const auto& run : runs) {
    ChartSpec spec{.title = fmt::format("η = {:g}: {}", run.lr, to_string(run.label)),
                   .x_label = "x",
                   .y_label = f.dims() == 1 ? "f(x)" : "y",
                   .width = 480,
                   .height = 360};
    // Points in view: finite, and f no more than 100·(|f0| + 1), so that a divergence shows its
    // first steps instead of squashing the picture.
    const double f0 = run.points.front().f;
    std::vector<const ValleyPoint*> shown;
    for (const auto& p : run.points) {
      if (!all_finite(p.x) || !std::isfinite(p.f) || p.f > 100.0 * (std::abs(f0) + 1.0)) break;
      shown.push_back(&p);
    }
    if (f.dims() == 1) {
      double lo = shown.front()->x[0], hi = lo;
      for (const auto* p : shown)
        lo = std::min(lo, p->x[0]), hi = std::max(hi, p->x[0]);
      const auto m = f.nearest_minimum(shown.front()->x);
      lo = std::min(lo, m[0]);
      hi = std::max(hi, m[0]);
      const double pad = 0.15 * std::max(hi - lo, 1e-3);
      lo -= pad;
      hi += pad;
      Series curve{.label = f.formula()};
      constexpr int kSamples = 200;
      for (int i = 0; i <= kSamples; ++i) {
        const double x = lo + (hi - lo) * i / kSamples;
        curve.x.push_back(x);
        curve.y.push_back(f.value(std::span<const double>(&x, 1)));
      }
      spec.series.push_back(std::move(curve));
      for (std::size_t k = 1; k < shown.size(); ++k)
        spec.arrows.push_back({shown[k - 1]->x[0], shown[k - 1]->f, shown[k]->x[0], shown[k]->f});
    } else {
      Series path{.label = "path", .markers = true};
      for (const auto* p : shown) {
        path.x.push_back(p->x[0]);
        path.y.push_back(p->x[1]);
      }
      spec.series.push_back(std::move(path));
      for (std::size_t k = 1; k < shown.size(); ++k)
        spec.arrows.push_back(
            {shown[k - 1]->x[0], shown[k - 1]->x[1], shown[k]->x[0], shown[k]->x[1]});
      const auto m = f.nearest_minimum(shown.front()->x);
      spec.points.push_back({m[0], m[1], "minimum"});
    }
    panels.push_back(std::move(spec));
  }
  return panels;
}

}  // namespace descent
