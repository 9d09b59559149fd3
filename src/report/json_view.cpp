#include "report/json_view.h"

#include <limits>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

JsonView::JsonView(const nlohmann::json& value, std::filesystem::path file, std::string field)
    : value_(&value), file_(std::move(file)), field_(std::move(field)) {}

JsonView JsonView::at(const std::string& key) const {
  if (!value_->is_object()) fail("must be an object");
  const auto it = value_->find(key);
  const std::string name = field_.empty() ? key : field_ + "." + key;
  if (it == value_->end())
    throw DataError(fmt::format("{}: missing field '{}'", file_.string(), name));
  return JsonView(*it, file_, name);
}

std::optional<JsonView> JsonView::find(const std::string& key) const {
  if (!value_->is_object()) fail("must be an object");
  const auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return std::nullopt;
  return JsonView(*it, file_, field_.empty() ? key : field_ + "." + key);
}

std::vector<JsonView> JsonView::elements() const {
  if (!value_->is_array()) fail("must be an array");
  std::vector<JsonView> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i)
    out.emplace_back((*value_)[i], file_, fmt::format("{}[{}]", field_, i));
  return out;
}

double JsonView::number() const {
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (value_->is_number()) return value_->get<double>();
  if (value_->is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (value_->is_string()) {
    const auto& text = value_->get_ref<const std::string&>();
    if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (text == "inf") return inf;
    if (text == "-inf") return -inf;
  }
  fail("must be a number");
}

std::vector<double> JsonView::numbers() const {
  std::vector<double> out;
  for (const JsonView& element : elements())
    out.push_back(element.number());
  return out;
}

std::string JsonView::string() const {
  if (!value_->is_string()) fail("must be a string");
  return value_->get<std::string>();
}

bool JsonView::boolean() const {
  if (!value_->is_boolean()) fail("must be true or false");
  return value_->get<bool>();
}

void JsonView::fail(const std::string& what) const {
  if (field_.empty()) throw DataError(fmt::format("{}: {}", file_.string(), what));
  throw DataError(fmt::format("{}: field '{}' {}", file_.string(), field_, what));
}

}  // namespace descent
