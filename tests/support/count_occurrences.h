// How many times a string occurs in a text (overlapping occurrences included).
#pragma once

#include <cstddef>
#include <string>

namespace descent::testing {

inline std::size_t count_occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++n;
  return n;
}

}  // namespace descent::testing
