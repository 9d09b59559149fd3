#include <cmath>

#include <fmt/format.h>

#include "report/html/sections.h"
#include "report/html/table.h"
#include "report/lr_results_json.h"
#include "report/sharpness_chart.h"

namespace descent::html {
namespace {

// μ of the file's lr_bound_momentum; DataError unless 0 <= μ < 1.
double momentum_of(const JsonView& sharpness) {
  const auto momentum = sharpness.find("momentum");
  if (!momentum) return 0.0;
  const double mu = momentum->number();
  if (!(mu >= 0 && mu < 1)) momentum->fail("must be in [0, 1)");
  return mu;
}

}  // namespace

std::optional<SweepBound> sharpness_bound(const JsonView& sharpness) {
  const SharpnessResult result = sharpness_from_json(sharpness);
  const double mu = momentum_of(sharpness);
  const double bound = result.lr_bound(mu);
  if (!(std::isfinite(bound) && bound > 0)) return std::nullopt;
  return SweepBound{
      bound, fmt::format("{} = {}", mu > 0 ? "2(1+μ)/λmax" : "2/λmax", format_number(bound))};
}

void write_sharpness_section(HtmlPage& page, const JsonView& sharpness, int level) {
  const SharpnessResult result = sharpness_from_json(sharpness);
  const double mu = momentum_of(sharpness);
  page.heading(level, "Sharpness bound");
  page.add(
      "<p>λmax is the top eigenvalue of the Hessian of the training loss at these weights. On the "
      "local quadratic model, plain gradient descent is stable for η &lt; 2/λmax, and with "
      "momentum μ for η &lt; 2(1+μ)/λmax.</p>\n");
  std::vector<std::pair<std::string, nlohmann::json>> rows = {
      {"λmax", format_number(result.lambda_max)}, {"2/λmax", format_number(result.lr_bound())}};
  if (mu > 0) {
    rows.emplace_back("momentum μ", format_number(mu));
    rows.emplace_back("2(1+μ)/λmax", format_number(result.lr_bound(mu)));
  }
  rows.emplace_back("converged",
                    fmt::format("{} after {} iterations", result.converged ? "yes," : "no, stopped",
                                result.estimates.size()));
  rows.emplace_back("samples", format_number(static_cast<double>(result.samples)));
  if (!result.method.empty()) rows.emplace_back("method", result.method);
  page.add(key_value_table(rows));
  if (!result.estimates.empty()) page.chart(sharpness_chart(result));
}

}  // namespace descent::html
