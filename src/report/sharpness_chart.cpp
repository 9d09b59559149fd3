#include "report/sharpness_chart.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

ChartSpec sharpness_chart(const SharpnessResult& result) {
  ChartSpec spec;
  const double bound = result.lr_bound();
  spec.title = std::isfinite(bound)
                   ? fmt::format("λmax ≈ {:.4g}: gradient descent stable for η < 2/λmax = {:.4g}",
                                 result.lambda_max, bound)
                   : fmt::format("λmax ≈ {:.4g}: no curvature limit on η", result.lambda_max);
  spec.x_label = "power iteration";
  spec.y_label = "λmax estimate (Rayleigh quotient)";
  Series estimates{.label = result.converged ? "estimate" : "estimate (not converged)",
                   .markers = result.estimates.size() <= 60};
  for (std::size_t i = 0; i < result.estimates.size(); ++i) {
    estimates.x.push_back(static_cast<double>(i + 1));
    estimates.y.push_back(result.estimates[i]);
  }
  spec.series.push_back(std::move(estimates));
  if (!result.estimates.empty())
    spec.series.push_back({.label = fmt::format("λmax = {:.4g}", result.lambda_max),
                           .x = {1.0, static_cast<double>(result.estimates.size())},
                           .y = {result.lambda_max, result.lambda_max},
                           .color = Color{0.35, 0.35, 0.35},
                           .style = LineStyle::dashed});
  return spec;
}

std::vector<std::filesystem::path> write_sharpness_chart(const SharpnessResult& result,
                                                         const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw IoError(fmt::format("cannot create chart directory {}: {}", dir.string(),
                              ec ? ec.message() : "not a directory"));
  return write_png_and_svg(sharpness_chart(result), dir, "sharpness");
}

}  // namespace descent
