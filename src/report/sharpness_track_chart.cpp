#include "report/sharpness_track_chart.h"

#include <cmath>

#include <fmt/format.h>

namespace descent {

ChartSpec sharpness_track_chart(const std::vector<SharpnessPoint>& points,
                                const std::string& threshold_formula) {
  ChartSpec spec;
  spec.title = "Sharpness during training: λmax against the stability threshold";
  spec.x_label = "optimizer step";
  spec.y_label = "curvature";
  bool positive = !points.empty();
  const bool preconditioned = !points.empty() && points.front().preconditioned;
  Series lambda{.label = preconditioned ? "λmax of P⁻¹H (training loss, subset)"
                                        : "λmax (training loss, subset)",
                .markers = points.size() <= 60};
  Series threshold{.label = "threshold " + threshold_formula,
                   .color = Color{0.8, 0.2, 0.2},
                   .style = LineStyle::dashed};
  for (const SharpnessPoint& p : points) {
    lambda.x.push_back(static_cast<double>(p.step));
    lambda.y.push_back(p.lambda_max);
    threshold.x.push_back(static_cast<double>(p.step));
    threshold.y.push_back(p.threshold);
    positive = positive && p.lambda_max > 0 && std::isfinite(p.threshold);
  }
  // A log axis shows a rise over decades and the threshold's distance alike; λmax ≤ 0 (no
  // positive curvature) needs the linear one.
  if (positive) spec.y_scale = Scale::log;
  spec.series.push_back(std::move(lambda));
  spec.series.push_back(std::move(threshold));
  return spec;
}

std::vector<std::filesystem::path> write_sharpness_track_chart(
    const std::vector<SharpnessPoint>& points, const std::string& threshold_formula,
    const std::filesystem::path& dir) {
  return write_png_and_svg(sharpness_track_chart(points, threshold_formula), dir,
                           "sharpness_track");
}

}  // namespace descent
