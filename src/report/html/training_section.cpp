#include <algorithm>

#include <fmt/format.h>

#include "report/history_json.h"
#include "report/html/sections.h"
#include "report/html/table.h"
#include "report/html_escape.h"
#include "report/training_charts.h"

namespace descent::html {
namespace {

// The epochs as a table: every column that any epoch has, in order of first appearance.
std::string epoch_table(const History& history) {
  std::vector<std::string> columns;
  for (const Logs& logs : history.epochs)
    for (const auto& [name, value] : logs.items())
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) columns.push_back(name);
  HtmlTable table(columns, "epochs");
  for (const Logs& logs : history.epochs) {
    std::vector<Cell> cells;
    for (const std::string& name : columns)
      cells.push_back(number_cell(logs.get(name).value_or(NAN)));
    table.add_row(std::move(cells));
  }
  return table.html();
}

}  // namespace

void write_training_section(HtmlPage& page, const JsonView& history_json,
                            const std::optional<JsonView>& results, int level) {
  const History history = history_from_json(history_json);
  page.heading(level, "Training");
  if (history.diverged)
    page.add(fmt::format("<p class=\"callout bad\">The run diverged: {}</p>\n",
                         html_escape(history.divergence)));
  if (results) {
    std::vector<std::pair<std::string, nlohmann::json>> rows;
    for (const char* part : {"final", "test"})
      if (const auto figures = results->find(part)) {
        if (!figures->json().is_object()) figures->fail("must be an object");
        for (const auto& [name, value] : figures->json().items())
          rows.emplace_back(fmt::format("{} {}", part, name),
                            format_number(figures->at(name).number()));
      }
    if (!rows.empty()) page.add(key_value_table(rows));
  }
  if (const auto loss = loss_chart(history)) page.chart(*loss);
  const std::vector<ChartSpec> metrics = metric_charts(history);
  if (!metrics.empty()) {
    page.begin_chart_row();
    for (const ChartSpec& metric : metrics)
      page.chart(metric, metrics.size() == 1);
    page.end_chart_row();
  }
  if (const auto lr = lr_chart(history)) page.chart(*lr);
  if (!history.epochs.empty()) {
    page.add(fmt::format("<details><summary>Every epoch ({})</summary>\n", history.epochs.size()));
    page.add(epoch_table(history));
    page.add("</details>\n");
  }
}

}  // namespace descent::html
