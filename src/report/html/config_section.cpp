#include <fmt/format.h>

#include "report/html/sections.h"
#include "report/html/table.h"
#include "report/html_escape.h"

namespace descent::html {

void write_config_section(HtmlPage& page, const std::vector<NamedConfig>& configs, int level) {
  if (configs.empty()) return;
  page.heading(level, "Configuration");
  for (const auto& [name, config] : configs) {
    if (!config.json().is_object()) config.fail("must be an object");
    page.add(fmt::format("<details class=\"config\"><summary>{}</summary>\n", html_escape(name)));
    page.add(key_value_table(flatten(config.json())));
    page.add("</details>\n");
  }
}

}  // namespace descent::html
