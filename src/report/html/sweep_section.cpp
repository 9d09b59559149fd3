#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html/sections.h"
#include "report/html/table.h"
#include "report/html_escape.h"
#include "report/lr_results_json.h"

namespace descent::html {
namespace {

// The CSS class of a verdict's chip (report.css gives them verdict_color's colours).
const char* verdict_class(Verdict verdict) {
  switch (verdict) {
    case Verdict::good:
      return "v-good";
    case Verdict::too_low:
      return "v-low";
    case Verdict::too_high:
      return "v-high";
    case Verdict::diverged:
      return "v-diverged";
  }
  return "";
}

std::string verdict_chip(Verdict verdict) {
  return fmt::format("<span class=\"verdict {}\">{}</span>", verdict_class(verdict),
                     html_escape(to_string(verdict)));
}

}  // namespace

void write_sweep_section(HtmlPage& page, const JsonView& sweep, std::optional<SweepBound> bound,
                         int level) {
  const SweepResult result = sweep_from_json(sweep);
  if (const auto own = sweep.find("lr_bound")) {
    const double lr = own->at("bound").number();
    if (std::isfinite(lr) && lr > 0)
      bound = SweepBound{lr, own->find("label") ? own->at("label").string()
                                                : fmt::format("2/λmax = {}", format_number(lr))};
  }
  const bool validation = std::any_of(result.runs.begin(), result.runs.end(), [](const auto& r) {
    return std::isfinite(r.final_val_loss());
  });

  page.heading(level, "Learning-rate sweep");
  if (result.best_lr)
    page.add(
        fmt::format("<p class=\"callout\">Best η = <strong>{}</strong>: the lowest final {} "
                    "among the runs that did not diverge.</p>\n",
                    html_escape(format_number(*result.best_lr)),
                    validation ? "validation loss" : "training loss"));
  else
    page.add("<p class=\"callout warn\">No best η: every run diverged.</p>\n");
  page.add(fmt::format("<p class=\"legend-key\">Verdicts: {} {} {} {}</p>\n",
                       verdict_chip(Verdict::good), verdict_chip(Verdict::too_low),
                       verdict_chip(Verdict::too_high), verdict_chip(Verdict::diverged)));
  page.chart(sweep_loss_chart(result, bound));
  page.chart(sweep_final_chart(result, bound));

  HtmlTable table(
      {"η", "verdict", "final loss", "final val loss", "best val metric", "seconds", "why"},
      "sweep");
  for (const SweepRun& run : result.runs) {
    const bool best = result.best_lr && run.lr == *result.best_lr;
    const auto metric = run.best_val_metric();
    table.add_row(
        {number_cell(run.lr),
         markup_cell(verdict_chip(run.verdict) +
                     (best ? " <span class=\"best-mark\">best</span>" : "")),
         number_cell(run.final_loss()), number_cell(run.final_val_loss()),
         text_cell(metric ? fmt::format("{} {}", metric->name, format_number(metric->value)) : "—"),
         number_cell(run.seconds), text_cell(run.reason)},
        best ? "best" : "");
  }
  page.add(table.html());
}

}  // namespace descent::html
