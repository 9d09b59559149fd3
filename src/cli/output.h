// What every command prints at its end: a few lines for a person on standard output, or with
// --json one JSON object with the same figures, for scripts.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace descent::cli {

struct OutputFlags {
  bool json = false;
  bool quiet = false;  // no progress bar
};

// Prints `result` as one JSON line (json mode) or `text` (a person's lines).
void print_result(const OutputFlags& flags, const nlohmann::json& result, const std::string& text);
// A JSON number, or null for NaN and infinity (JSON has neither).
nlohmann::json json_number(double value);

}  // namespace descent::cli
