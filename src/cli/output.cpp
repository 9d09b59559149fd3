#include "cli/output.h"

#include <cmath>

#include <fmt/format.h>

namespace descent::cli {

void print_result(const OutputFlags& flags, const nlohmann::json& result, const std::string& text) {
  if (flags.json)
    fmt::print("{}\n", result.dump());
  else
    fmt::print("{}", text);
  std::fflush(stdout);
}

nlohmann::json json_number(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json();
}

}  // namespace descent::cli
