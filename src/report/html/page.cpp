#include "report/html/page.h"

#include <fmt/format.h>

#include "core/error.h"
#include "report/embedded_assets.h"
#include "report/html/chart_json.h"
#include "report/html_escape.h"

namespace descent::html {

void HtmlPage::heading(int level, std::string_view text) {
  if (level < 2 || level > 4)
    throw InvalidArgument(fmt::format("heading level {} is not in 2..4", level));
  const std::string id = fmt::format("s{}", toc_.size() + 1);
  toc_.push_back({level, id, std::string(text)});
  body_ += fmt::format("<h{0} id=\"{1}\">{2}</h{0}>\n", level, id, html_escape(text));
}

void HtmlPage::add(std::string_view html) {
  body_ += html;
}

void HtmlPage::chart(const ChartSpec& spec, bool wide) {
  const std::string id = fmt::format("chart{}", charts_.size() + 1);
  nlohmann::json chart = chart_json(spec);
  chart["id"] = id;
  charts_.push_back(std::move(chart));
  body_ += fmt::format("<figure class=\"chart{}\" id=\"{}\"></figure>\n", wide ? " wide" : "", id);
}

void HtmlPage::begin_chart_row() {
  body_ += "<div class=\"chart-row\">\n";
}

void HtmlPage::end_chart_row() {
  body_ += "</div>\n";
}

std::string HtmlPage::document(std::string_view title, std::string_view subtitle_html) const {
  // One line per run directory: its name, then its sections.
  std::string toc;
  bool first_section = true;
  for (const TocEntry& entry : toc_) {
    const std::string link =
        fmt::format("<a href=\"#{}\">{}</a>", entry.id, html_escape(entry.text));
    if (entry.level == 2) {
      toc += fmt::format("{}<li><strong>{}</strong>", toc.empty() ? "" : "</li>\n", link);
      first_section = true;
    } else if (entry.level == 3) {
      toc += (first_section ? ": " : " · ") + link;
      first_section = false;
    }
  }
  if (!toc.empty()) toc += "</li>\n";
  const nlohmann::json data = {{"charts", charts_}};
  std::string page;
  page.reserve(body_.size() + embedded::uplot_js().size() + 1024 * 64);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += fmt::format("<title>{}</title>\n", html_escape(title));
  // The error guard first, so that it sees errors of everything after it.
  page += fmt::format("<script>{}</script>\n", embedded::guard_js());
  page += fmt::format("<style>{}</style>\n", embedded::uplot_css());
  page += fmt::format("<style>{}</style>\n", embedded::report_css());
  page += fmt::format("<script>{}</script>\n", embedded::uplot_js());
  page += "</head>\n<body>\n<header>\n";
  page += fmt::format("<h1>{}</h1>\n{}\n", html_escape(title), subtitle_html);
  page +=
      "<p class=\"hint\">Charts: hover for values, drag to zoom, double-click to zoom out, "
      "click a legend entry to hide or show it.</p>\n";
  page += "<div id=\"report-errors\" hidden></div>\n</header>\n";
  page += fmt::format("<nav><h2>Contents</h2><ul>\n{}</ul></nav>\n", toc);
  page += "<main>\n" + body_ + "</main>\n";
  page += fmt::format("<script type=\"application/json\" id=\"report-data\">{}</script>\n",
                      json_for_script(data));
  page += fmt::format("<script>{}</script>\n", embedded::report_js());
  page += "</body>\n</html>\n";
  return page;
}

}  // namespace descent::html
