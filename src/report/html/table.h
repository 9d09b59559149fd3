// HtmlTable: the report's tables (configuration, sweep runs, suggestions). Cells are made from
// plain text, which is escaped, or from markup the caller built and escaped itself.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent::html {

struct Cell {
  std::string html;
  bool numeric = false;  // right-aligned, tabular digits
};

Cell text_cell(std::string_view text);
Cell number_cell(double value);  // format_number
Cell markup_cell(std::string html);

// A number for a person: 4 significant digits ("0.01", "2.303", "1.5e-05"), "—" for NaN,
// "inf"/"-inf" for infinities.
std::string format_number(double value);

// A configuration value as text: strings as they are, numbers as JSON writes them, arrays of
// scalars comma-separated, anything else as compact JSON, null as "—".
std::string format_value(const nlohmann::json& value);

// `value` with its numbers, also those in arrays, as format_number text: results for a person.
nlohmann::json rounded(const nlohmann::json& value);

// Nested objects flattened to dotted names: {"optimizer": {"name": "sgd"}} → ("optimizer.name",
// "sgd"), in the object's order; arrays stay whole (format_value shows them).
std::vector<std::pair<std::string, nlohmann::json>> flatten(const nlohmann::json& object);

class HtmlTable {
 public:
  explicit HtmlTable(std::vector<std::string> header, std::string css_class = "");
  // `row_class` names a CSS class for the row ("best" for the sweep's best η).
  void add_row(std::vector<Cell> cells, std::string_view row_class = "");
  std::string html() const;

 private:
  std::vector<std::string> header_;
  std::string css_class_;
  std::string rows_;
};

// A table of name/value rows (configuration, results).
std::string key_value_table(const std::vector<std::pair<std::string, nlohmann::json>>& rows);

}  // namespace descent::html
