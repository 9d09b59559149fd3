// Monitor: the "is this value better?" rule that EarlyStopping, ReduceLROnPlateau and
// ModelCheckpoint share, with Keras's semantics: mode "min", "max" or "auto" (max for a name
// containing "acc", min otherwise), and an improvement must beat the best by more than min_delta.
#pragma once

#include <string>

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

 private:
  std::string name_;
  bool maximize_;
  double min_delta_;
};

}  // namespace descent
