// Logs: named figures of an epoch or a step ("loss", "accuracy", "val_loss", "lr", ...), as Keras
// passes them to callbacks. Ordered by insertion so CSV columns keep a stable, readable order.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace descent {

class Logs {
 public:
  void set(const std::string& name, double value);
  std::optional<double> get(const std::string& name) const;
  bool contains(const std::string& name) const { return get(name).has_value(); }
  const std::vector<std::pair<std::string, double>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, double>> items_;
};

}  // namespace descent
