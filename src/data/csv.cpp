#include "data/csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

// Auto-detected classification stops here: integer targets this large are quantities.
constexpr double kMaxAutoClasses = 1000;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Splits one line into fields; `where` prefixes an unterminated-quote error.
void split_fields(std::string_view line, char delimiter, const std::string& where,
                  std::vector<std::string>& fields) {
  fields.clear();
  std::size_t i = 0;
  for (;;) {
    std::string field;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
      ++i;
    if (i < line.size() && line[i] == '"') {
      ++i;
      for (;;) {
        if (i >= line.size()) throw DataError(fmt::format("{}: unterminated quoted field", where));
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      while (i < line.size() && line[i] != delimiter)
        ++i;  // text after the closing quote (spaces) is dropped
    } else {
      const std::size_t end = std::min(line.find(delimiter, i), line.size());
      field = trim(line.substr(i, end - i));
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return;
    ++i;  // the delimiter
  }
}

std::optional<double> parse_number(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<long> parse_index(std::string_view s) {
  long value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::size_t find_label_column(const std::vector<std::string>& header, const std::string& label,
                              const std::string& file) {
  if (label.empty()) return header.size() - 1;
  if (const auto it = std::find(header.begin(), header.end(), label); it != header.end())
    return static_cast<std::size_t>(it - header.begin());
  if (const auto index = parse_index(label)) {
    const long n = static_cast<long>(header.size());
    if (*index < -n || *index >= n)
      throw DataError(
          fmt::format("{}: label column index {} is outside the {} columns", file, *index, n));
    return static_cast<std::size_t>(*index < 0 ? *index + n : *index);
  }
  std::string names;
  for (const std::string& h : header)
    names += (names.empty() ? "" : ", ") + h;
  throw DataError(fmt::format("{}: no label column named '{}' (columns: {})", file, label, names));
}

}  // namespace

Dataset read_csv(const std::filesystem::path& path, const CsvOptions& options) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot open {}", file));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw IoError(fmt::format("cannot read {}", file));
  std::string text = std::move(buffer).str();
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);

  // Rows with their 1-based line numbers, blank lines dropped.
  std::vector<std::pair<std::size_t, std::string_view>> lines;
  std::string_view rest = text;
  for (std::size_t number = 1; !rest.empty(); ++number) {
    const std::size_t end = std::min(rest.find('\n'), rest.size());
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (!trim(line).empty()) lines.emplace_back(number, line);
  }
  if (lines.empty()) throw DataError(fmt::format("{}: empty file (no header row)", file));

  std::vector<std::string> header;
  split_fields(lines[0].second, options.delimiter, fmt::format("{}:{}", file, lines[0].first),
               header);
  const std::size_t columns = header.size();
  if (columns < 2)
    throw DataError(
        fmt::format("{}:{}: the header has {} column; a label and at least one feature are needed",
                    file, lines[0].first, columns));
  if (lines.size() == 1) throw DataError(fmt::format("{}: no data rows after the header", file));
  const std::size_t label_col = find_label_column(header, options.label, file);

  Dataset data;
  const std::size_t n = lines.size() - 1;
  const auto width = static_cast<std::int64_t>(columns - 1);
  data.sample_shape = {width};
  data.values.resize(n * width);
  std::vector<std::string> label_cells(n);
  std::vector<std::size_t> label_lines(n);
  std::vector<std::string> fields;
  for (std::size_t r = 0; r < n; ++r) {
    const auto [number, line] = lines[r + 1];
    const std::string where = fmt::format("{}:{}", file, number);
    split_fields(line, options.delimiter, where, fields);
    if (fields.size() != columns)
      throw DataError(
          fmt::format("{}: expected {} fields, found {}", where, columns, fields.size()));
    float* row = data.values.data() + r * width;
    for (std::size_t c = 0, f = 0; c < columns; ++c) {
      if (c == label_col) continue;
      const std::string& cell = fields[c];
      if (cell.empty()) throw DataError(fmt::format("{}: column '{}' is empty", where, header[c]));
      const auto value = parse_number(cell);
      if (!value)
        throw DataError(
            fmt::format("{}: column '{}': '{}' is not a number", where, header[c], cell));
      if (!std::isfinite(*value) || std::abs(*value) > std::numeric_limits<float>::max())
        throw DataError(fmt::format("{}: column '{}' is {} (features must be finite floats)", where,
                                    header[c], cell));
      row[f++] = static_cast<float>(*value);
    }
    label_cells[r] = std::move(fields[label_col]);
    label_lines[r] = number;
  }

  // Decide the task from the label column.
  const std::string& label_name = header[label_col];
  std::vector<double> numbers(n);
  std::optional<std::size_t> first_text;  // the first row whose label is not a number
  bool integral = true;
  double largest = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const auto value = parse_number(label_cells[r]);
    if (!value) {
      first_text = r;
      break;
    }
    numbers[r] = *value;
    integral = integral && std::isfinite(*value) && *value >= 0 && *value == std::floor(*value);
    largest = std::max(largest, std::isfinite(*value) ? *value : 0.0);
  }
  auto where = [&](std::size_t r) { return fmt::format("{}:{}", file, label_lines[r]); };

  if (first_text) {
    if (options.task == CsvTask::kRegression)
      throw DataError(fmt::format("{}: label column '{}': '{}' is not a number", where(*first_text),
                                  label_name, label_cells[*first_text]));
    std::map<std::string, std::int32_t> classes;
    for (const std::string& cell : label_cells) {
      if (cell.empty())
        throw DataError(fmt::format("{}: label column '{}' is empty",
                                    where(static_cast<std::size_t>(&cell - label_cells.data())),
                                    label_name));
      classes.emplace(cell, 0);
    }
    for (auto& [name, index] : classes) {
      index = static_cast<std::int32_t>(data.class_names.size());
      data.class_names.push_back(name);
    }
    data.num_classes = static_cast<std::int32_t>(classes.size());
    data.labels.resize(n);
    for (std::size_t r = 0; r < n; ++r)
      data.labels[r] = classes[label_cells[r]];
    return data;
  }

  const bool classify = options.task == CsvTask::kClassification ||
                        (options.task == CsvTask::kAuto && integral && largest < kMaxAutoClasses);
  if (classify) {
    for (std::size_t r = 0; r < n; ++r) {
      const double v = numbers[r];
      if (!std::isfinite(v) || v < 0 || v != std::floor(v) || v >= static_cast<double>(kMaxClasses))
        throw DataError(fmt::format("{}: label column '{}': '{}' is not a class index in [0, {})",
                                    where(r), label_name, label_cells[r], kMaxClasses));
    }
    data.num_classes = static_cast<std::int32_t>(largest) + 1;
    data.labels.resize(n);
    for (std::size_t r = 0; r < n; ++r)
      data.labels[r] = static_cast<std::int32_t>(numbers[r]);
    return data;
  }

  data.target_width = 1;
  data.targets.resize(n);
  for (std::size_t r = 0; r < n; ++r) {
    if (!std::isfinite(numbers[r]) || std::abs(numbers[r]) > std::numeric_limits<float>::max())
      throw DataError(fmt::format("{}: label column '{}' is {} (targets must be finite floats)",
                                  where(r), label_name, label_cells[r]));
    data.targets[r] = static_cast<float>(numbers[r]);
  }
  return data;
}

}  // namespace descent
