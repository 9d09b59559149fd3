#include "optim/schedule/constant_schedule.h"

#include "optim/schedule/check.h"

namespace descent {

ConstantSchedule::ConstantSchedule(double initial_lr) : initial_lr_(initial_lr) {
  schedule_check::positive_lr("Constant", "initial lr", initial_lr);
}

double ConstantSchedule::lr(std::int64_t t) const {
  schedule_check::step("Constant", t);
  return initial_lr_;
}

}  // namespace descent
