// ConstantSchedule ("Constant"): η(t) = η0 for every t. The default when no schedule is given, and
// the inner schedule of a plain ReduceLROnPlateau.
#pragma once

#include "optim/schedule/schedule.h"

namespace descent {

class ConstantSchedule : public Schedule {
 public:
  explicit ConstantSchedule(double initial_lr);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "Constant"; }
  nlohmann::json config() const override { return nlohmann::json::object(); }

 private:
  double initial_lr_;
};

}  // namespace descent
