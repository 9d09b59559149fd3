// ScheduleDriver: keeps the optimizer's η in step with a schedule during fit(). A change of η from
// outside while fit() runs (set_lr from a callback, a divergence rollback) rescales the schedule
// from then on: both compose by product. Its two numbers are part of a checkpoint.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "optim/optimizer.h"
#include "optim/schedule/schedule.h"

namespace descent {

class ScheduleDriver {
 public:
  // `schedule` may be null: η then stays whatever the optimizer holds. Throws InvalidArgument when
  // the schedule cycles a momentum the optimizer does not have (check_cycled_momentum).
  ScheduleDriver(Schedule* schedule, Optimizer& optimizer);

  // Writes lr(t) (and the schedule's momentum, if any) into the optimizer.
  void apply(std::int64_t t);
  // Multiplies η by `factor` now and for every later step of the schedule.
  void scale_lr(double factor);

  nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  Schedule* schedule_;
  Optimizer& optimizer_;
  double written_;
  double scale_ = 1.0;
};

// Refuses, before any step, a schedule that cycles the momentum (CyclicLR, OneCycleLR with
// cycle_momentum) for an optimizer without one (Adagrad, Adadelta), as PyTorch's constructors do.
void check_cycled_momentum(const Schedule& schedule, const Optimizer& optimizer);

}  // namespace descent
