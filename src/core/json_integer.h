// Integers read from JSON, checked: descent's one integer rule, used for the files it writes
// (checkpoints, state dicts) and for options (core/options_reader.h). A value is an integer of
// type T when it is a JSON integer, or a JSON number with an exact integer value (3.0, 1e3, as
// Python and JavaScript write them), and lies within T's range; 3.5, 1e300 and 2^40 (as an int)
// are not. nlohmann's get<T>() converts any number: a float outside T's range is undefined
// behaviour and an integer outside it wraps silently, so a damaged file could crash the reader or
// resume at the wrong place.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace descent {

// `value` as a T under the rule above; empty when it is not one.
template <std::integral T>
std::optional<T> json_integer_if(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (value.is_number_integer()) {
    const auto v = value.get<std::int64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (value.is_number_float()) {
    const double v = value.get<double>();
    // T's range is [lowest, 2^digits), both ends exact as doubles; NaN and infinities fail too.
    const double end = std::ldexp(1.0, std::numeric_limits<T>::digits);
    const double lowest = std::is_signed_v<T> ? -end : 0.0;
    if (v == std::trunc(v) && v >= lowest && v < end) return static_cast<T>(v);
  }
  return std::nullopt;
}

namespace detail {

template <std::integral T>
DataError not_an_integer(const nlohmann::json& value, std::string_view what) {
  return DataError(fmt::format("{} must be an integer in [{}, {}], got {}", what,
                               std::numeric_limits<T>::min(), std::numeric_limits<T>::max(),
                               value.is_number() ? value.dump() : std::string(value.type_name())));
}

}  // namespace detail

// `value` as a T; throws DataError naming `what` unless it is an integer within T's range.
template <std::integral T>
T json_integer(const nlohmann::json& value, std::string_view what) {
  if (const auto v = json_integer_if<T>(value)) return *v;
  throw detail::not_an_integer<T>(value, what);
}

// Every element of the JSON array `values` as a T, checked as json_integer does.
template <std::integral T>
std::vector<T> json_integers(const nlohmann::json& values, std::string_view what) {
  if (!values.is_array())
    throw DataError(
        fmt::format("{} must be an array of integers, got {}", what, values.type_name()));
  std::vector<T> out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto v = json_integer_if<T>(values[i]);
    if (!v) throw detail::not_an_integer<T>(values[i], fmt::format("{}[{}]", what, i));
    out.push_back(*v);
  }
  return out;
}

}  // namespace descent
