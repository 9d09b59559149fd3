#include "train/logs.h"

namespace descent {

void Logs::set(const std::string& name, double value) {
  for (auto& [key, v] : items_)
    if (key == name) {
      v = value;
      return;
    }
  items_.emplace_back(name, value);
}

std::optional<double> Logs::get(const std::string& name) const {
  for (const auto& [key, v] : items_)
    if (key == name) return v;
  return std::nullopt;
}

}  // namespace descent
