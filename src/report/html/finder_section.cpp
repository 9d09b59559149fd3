#include <fmt/format.h>

#include "report/html/sections.h"
#include "report/html/table.h"
#include "report/html_escape.h"
#include "report/lr_finder_chart.h"
#include "report/lr_results_json.h"

namespace descent::html {

void write_finder_section(HtmlPage& page, const JsonView& finder, int level) {
  const LrFinderResult result = lr_finder_from_json(finder);
  page.heading(level, "Learning-rate range test");
  page.add(fmt::format(
      "<p class=\"callout\">Suggested η = <strong>{}</strong> ({} rule){}</p>\n",
      html_escape(format_number(result.suggested.lr)), html_escape(result.suggested.rule),
      result.suggested.reason.empty() ? std::string()
                                      : ": " + html_escape(result.suggested.reason)));
  if (!result.stopped.empty())
    page.add(fmt::format("<p>Stopped: {}</p>\n", html_escape(result.stopped)));
  page.chart(lr_finder_chart(result));

  HtmlTable table({"rule", "η", "smoothed loss", "why"});
  for (const LrSuggestion& s : result.suggestions) {
    const bool picked = s.rule == result.suggested.rule;
    table.add_row({text_cell(picked ? s.rule + " (suggested)" : s.rule), number_cell(s.lr),
                   number_cell(s.loss), text_cell(s.reason)},
                  picked ? "best" : "");
  }
  page.add(table.html());
  if (const auto options = finder.find("options")) {
    page.add("<details><summary>Options of the test</summary>\n");
    page.add(key_value_table(flatten(options->json())));
    page.add("</details>\n");
  }
}

}  // namespace descent::html
