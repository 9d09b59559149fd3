#include "report/html/table.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html_escape.h"

namespace descent::html {
namespace {

void flatten_into(const nlohmann::json& value, const std::string& prefix,
                  std::vector<std::pair<std::string, nlohmann::json>>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, member] : value.items())
      flatten_into(member, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    out.emplace_back(prefix, value);
  }
}

}  // namespace

Cell text_cell(std::string_view text) {
  return {.html = html_escape(text)};
}

Cell number_cell(double value) {
  return {.html = html_escape(format_number(value)), .numeric = true};
}

Cell markup_cell(std::string html) {
  return {.html = std::move(html)};
}

std::string format_number(double value) {
  if (std::isnan(value)) return "—";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Counts (steps, samples) in full rather than as "6e+04".
  if (value == std::trunc(value) && std::abs(value) < 1e15)
    return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{:.4g}", value);
}

std::string format_value(const nlohmann::json& value) {
  if (value.is_null()) return "—";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_array() &&
      std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_primitive(); })) {
    std::vector<std::string> parts;
    for (const auto& v : value)
      parts.push_back(format_value(v));
    return fmt::format("{}", fmt::join(parts, ", "));
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json rounded(const nlohmann::json& value) {
  if (value.is_number()) return format_number(value.get<double>());
  if (!value.is_array()) return value;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& v : value)
    out.push_back(rounded(v));
  return out;
}

std::vector<std::pair<std::string, nlohmann::json>> flatten(const nlohmann::json& object) {
  std::vector<std::pair<std::string, nlohmann::json>> out;
  flatten_into(object, "", out);
  return out;
}

HtmlTable::HtmlTable(std::vector<std::string> header, std::string css_class)
    : header_(std::move(header)), css_class_(std::move(css_class)) {}

void HtmlTable::add_row(std::vector<Cell> cells, std::string_view row_class) {
  rows_ += row_class.empty() ? "<tr>" : fmt::format("<tr class=\"{}\">", html_escape(row_class));
  for (const Cell& cell : cells)
    rows_ += fmt::format("<td{}>{}</td>", cell.numeric ? " class=\"num\"" : "", cell.html);
  rows_ += "</tr>\n";
}

std::string HtmlTable::html() const {
  std::string out = css_class_.empty()
                        ? std::string("<table>")
                        : fmt::format("<table class=\"{}\">", html_escape(css_class_));
  out += "<thead><tr>";
  for (const std::string& name : header_)
    out += fmt::format("<th>{}</th>", html_escape(name));
  out += "</tr></thead>\n<tbody>\n" + rows_ + "</tbody></table>\n";
  return out;
}

std::string key_value_table(const std::vector<std::pair<std::string, nlohmann::json>>& rows) {
  HtmlTable table({"name", "value"}, "kv");
  for (const auto& [name, value] : rows)
    table.add_row({text_cell(name),
                   {.html = html_escape(format_value(value)), .numeric = value.is_number()}});
  return table.html();
}

}  // namespace descent::html
