// JsonView: a value inside a JSON file written by another command (history.json, sweep.json,
// ...), read with errors that name the file and the field ("runs/x/sweep.json: field
// 'runs[2].lr' must be a number"), so a damaged run directory gets a DataError a person can act on.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent {

class JsonView {
 public:
  // `value` must outlive the view.
  JsonView(const nlohmann::json& value, std::filesystem::path file, std::string field = "");

  const nlohmann::json& json() const { return *value_; }
  const std::string& field() const { return field_; }

  // The member `key`; DataError when this is not an object or the member is absent.
  JsonView at(const std::string& key) const;
  // The member `key`, or nullopt when it is absent or null; DataError when this is not an object.
  std::optional<JsonView> find(const std::string& key) const;
  // The elements of an array; DataError for anything else.
  std::vector<JsonView> elements() const;

  // A number. null and the strings "nan", "inf", "-inf" (how files record non-finite values)
  // read as NaN and ±infinity.
  double number() const;
  std::vector<double> numbers() const;
  std::string string() const;
  bool boolean() const;

  // DataError "<file>: field '<field>' <what>" (or "<file>: <what>" at the top level).
  [[noreturn]] void fail(const std::string& what) const;

 private:
  const nlohmann::json* value_;
  std::filesystem::path file_;
  std::string field_;
};

}  // namespace descent
