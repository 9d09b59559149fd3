#include "cli/lr_list.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "lr/sweep.h"

namespace descent::cli {
namespace {

constexpr int kMaxCount = 1000;

// The whole of `item` as a number, or nullopt.
std::optional<double> number(const std::string& item) {
  if (item.empty() || std::isspace(static_cast<unsigned char>(item.front()))) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(item.c_str(), &end);
  if (end != item.c_str() + item.size()) return std::nullopt;
  return value;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end - begin));
    if (end == std::string::npos) return parts;
    begin = end + 1;
  }
}

}  // namespace

std::vector<double> parse_lr_list(const std::string& text, const std::string& flag) {
  const auto fail = [&](const std::string& why) {
    return InvalidArgument(fmt::format(
        "{} expects learning rates as a list like 1e-4,1e-3,0.01 or a range LOW:HIGH:COUNT like "
        "1e-4:1:8; got '{}': {}",
        flag, text, why));
  };
  const auto learning_rate = [&](const std::string& item) {
    const auto value = number(item);
    if (!value) throw fail(fmt::format("'{}' is not a number", item));
    if (!(std::isfinite(*value) && *value > 0))
      throw fail(fmt::format("η must be finite and > 0, not {}", item));
    return *value;
  };

  if (text.find(':') != std::string::npos) {
    const auto parts = split(text, ':');
    if (parts.size() != 3 || text.find(',') != std::string::npos)
      throw fail("a range has exactly three parts, LOW:HIGH:COUNT");
    const double low = learning_rate(parts[0]), high = learning_rate(parts[1]);
    const auto count = number(parts[2]);
    if (!count || *count != std::floor(*count) || *count < 2 || *count > kMaxCount)
      throw fail(
          fmt::format("COUNT must be an integer from 2 to {}, not '{}'", kMaxCount, parts[2]));
    if (!(low < high)) throw fail("LOW must be below HIGH");
    return log_spaced(low, high, static_cast<int>(*count));
  }
  std::vector<double> lrs;
  for (const std::string& item : split(text, ','))
    lrs.push_back(learning_rate(item));
  if (lrs.size() > kMaxCount) throw fail(fmt::format("more than {} values", kMaxCount));
  for (std::size_t i = 0; i < lrs.size(); ++i)
    if (std::find(lrs.begin(), lrs.begin() + static_cast<std::ptrdiff_t>(i), lrs[i]) !=
        lrs.begin() + static_cast<std::ptrdiff_t>(i))
      throw fail(fmt::format("η = {:g} is given twice", lrs[i]));
  return lrs;
}

}  // namespace descent::cli
