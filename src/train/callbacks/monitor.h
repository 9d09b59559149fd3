// Monitor: the "is this value better?" rule that EarlyStopping, ReduceLROnPlateau and
// ModelCheckpoint share, with Keras's semantics: mode "min", "max" or "auto" (max for a name
// containing "acc", min otherwise), and an improvement must beat the best by more than min_delta.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace descent {

class Monitor {
 public:
  Monitor(std::string name, std::string mode, double min_delta);

  const std::string& name() const { return name_; }
  bool maximize() const { return maximize_; }
  // True when `value` improves on `best` by more than min_delta.
  bool improves(double value, double best) const;
  // The starting "best": +inf when minimizing, -inf when maximizing.
  double worst() const;

  // `best` as a checkpoint holds it, with the monitored name and direction it was measured by.
  nlohmann::json state(double best) const;
  // The best value back from state(); throws DataError when it was monitoring something else.
  double load_state(const nlohmann::json& state) const;

 private:
  std::string name_;
  bool maximize_;
  double min_delta_;
};

}  // namespace descent
