#include "core/options_reader.h"

#include <algorithm>

#include <fmt/ranges.h>

namespace descent {

void detail::throw_unknown_name(std::string_view owner, std::string_view key, std::string_view name,
                                std::span<const std::string_view> names) {
  std::vector<std::string> quoted;
  for (const auto n : names)
    quoted.push_back(fmt::format("\"{}\"", n));
  const std::string last = quoted.back();
  quoted.pop_back();
  const std::string choices =
      quoted.empty() ? last : fmt::format("{} or {}", fmt::join(quoted, ", "), last);
  const std::string cut =
      name.size() <= 80 ? std::string(name) : fmt::format("{}...", name.substr(0, 77));
  throw InvalidArgument(fmt::format("{}: unknown {} '{}' (must be {})", owner, key, cut, choices));
}

std::string shown_in_message(const nlohmann::json& value) {
  using nlohmann::json;
  if (std::any_of(value.begin(), value.end(), [](const json& e) { return e.is_structured(); }))
    return value.is_array() ? "a nested array" : "a nested object";
  const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() <= 80 ? text : text.substr(0, 77) + "...";
}

OptionsReader::OptionsReader(std::string_view owner, std::string_view noun,
                             const nlohmann::json& object)
    : owner_(owner), noun_(noun), object_(object.is_object() ? &object : nullptr) {
  if (!object.is_object() && !object.is_null())
    throw InvalidArgument(fmt::format("{}: {}s must be a JSON object, got {}", owner, noun,
                                      shown_in_message(object)));
}

const nlohmann::json* OptionsReader::find(std::string_view key) {
  if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
  if (!object_) return nullptr;
  const auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

void OptionsReader::finish() const {
  if (!object_) return;
  for (const auto& [key, value] : object_->items())
    if (std::find(known_.begin(), known_.end(), key) == known_.end())
      throw InvalidArgument(fmt::format("{}: unknown {} '{}' (known: {})", owner_, noun_, key,
                                        fmt::join(known_, ", ")));
}

void OptionsReader::convert(std::string_view key, const nlohmann::json& v, double& out) const {
  if (!v.is_number()) throw wrong_type(key, "a number", v);
  out = v.get<double>();
}

void OptionsReader::convert(std::string_view key, const nlohmann::json& v, bool& out) const {
  if (!v.is_boolean()) throw wrong_type(key, "true or false", v);
  out = v.get<bool>();
}

void OptionsReader::convert(std::string_view key, const nlohmann::json& v, std::string& out) const {
  if (!v.is_string()) throw wrong_type(key, "a string", v);
  out = v.get<std::string>();
}

std::string OptionsReader::array_of_numbers(std::size_t n) {
  // Spelled out for the sizes options use, as people write them ("an array of two numbers").
  static constexpr std::string_view words[] = {"zero", "one", "two", "three", "four"};
  return n < std::size(words) ? fmt::format("an array of {} numbers", words[n])
                              : fmt::format("an array of {} numbers", n);
}

InvalidArgument OptionsReader::wrong_type(std::string_view key, std::string_view expected,
                                          const nlohmann::json& v) const {
  return InvalidArgument(fmt::format("{}: {} '{}' must be {}, got {}", owner_, noun_, key, expected,
                                     shown_in_message(v)));
}

}  // namespace descent
