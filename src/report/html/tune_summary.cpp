#include <algorithm>

#include <fmt/format.h>

#include "report/html/sections.h"
#include "report/html/table.h"
#include "report/html_escape.h"

namespace descent::html {
namespace {

const char* stage_meaning(const std::string& stage) {
  if (stage == "find-lr") return "range test";
  if (stage == "sweep") return "short sweep around the suggestion";
  if (stage == "final") return "final training with the chosen η";
  return "sharpness bound";
}

}  // namespace

void write_tune_summary(HtmlPage& page, const RunInputs& tune, int level) {
  page.heading(level, "Chosen learning rate");
  if (tune.results) {
    const JsonView results(*tune.results, tune.file("results.json"));
    page.add(fmt::format("<p class=\"callout big\">η = <strong>{}</strong></p>\n",
                         html_escape(format_number(results.at("chosen_lr").number()))));
    if (const auto reason = results.find("reason"))
      page.add(fmt::format("<p class=\"reason\">{}</p>\n", html_escape(reason->string())));
    if (const auto confidence = results.find("confidence"))
      page.add(fmt::format("<p class=\"confidence\">Confidence: {}</p>\n",
                           html_escape(confidence->at("summary").string())));
    // The other figures, folded and rounded, leaving out lists of records (the stages show
    // those in full).
    std::vector<std::pair<std::string, nlohmann::json>> rows;
    for (auto& [name, value] : flatten(results.json())) {
      const bool records = value.is_array() && std::any_of(value.begin(), value.end(), [](auto& v) {
                             return v.is_structured();
                           });
      if (name != "chosen_lr" && name != "reason" && name != "confidence.summary" && !records)
        rows.emplace_back(name, rounded(value));
    }
    if (!rows.empty()) {
      page.add("<details><summary>Every figure of results.json</summary>\n");
      page.add(key_value_table(rows));
      page.add("</details>\n");
    }
  } else {
    page.add("<p class=\"callout warn\">No results.json: the tune did not finish.</p>\n");
  }
  page.add("<ol class=\"stages\">\n");
  for (const auto& [name, stage] : tune.stages)
    page.add(
        fmt::format("<li><strong>{}/</strong>: {}</li>\n", html_escape(name), stage_meaning(name)));
  page.add("</ol>\n");
}

}  // namespace descent::html
