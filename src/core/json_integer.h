// Integers read back from JSON that descent wrote (checkpoints, state dicts), checked. nlohmann's
// get<T>() converts any number: a float outside T's range (1e300) is undefined behaviour, and an
// integer outside it (2^40 as an int) wraps silently, so a damaged file could crash the reader or
// resume at the wrong place.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace descent {

namespace detail {

template <std::integral T>
std::optional<T> integer_within(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  } else if (value.is_number_integer()) {
    const auto v = value.get<std::int64_t>();
    if (std::in_range<T>(v)) return static_cast<T>(v);
  }
  return std::nullopt;
}

template <std::integral T>
DataError not_an_integer(const nlohmann::json& value, std::string_view what) {
  return DataError(fmt::format("{} must be an integer in [{}, {}], got {}", what,
                               std::numeric_limits<T>::min(), std::numeric_limits<T>::max(),
                               value.is_number() ? value.dump() : std::string(value.type_name())));
}

}  // namespace detail

// `value` as a T; throws DataError naming `what` unless it is a JSON integer within T's range.
template <std::integral T>
T json_integer(const nlohmann::json& value, std::string_view what) {
  if (const auto v = detail::integer_within<T>(value)) return *v;
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
    const auto v = detail::integer_within<T>(values[i]);
    if (!v) throw detail::not_an_integer<T>(values[i], fmt::format("{}[{}]", what, i));
    out.push_back(*v);
  }
  return out;
}

}  // namespace descent
