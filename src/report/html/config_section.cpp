#include "report/html/sections.h"
#include "report/html/table.h"

namespace descent::html {

void write_config_section(HtmlPage& page, const JsonView& config, int level, bool collapsed) {
  if (!config.json().is_object()) config.fail("must be an object");
  page.heading(level, "Configuration");
  page.add(collapsed ? "<details><summary>Show the configuration</summary>\n" : "<div>\n");
  page.add(key_value_table(flatten(config.json())));
  page.add(collapsed ? "</details>\n" : "</div>\n");
}

}  // namespace descent::html
