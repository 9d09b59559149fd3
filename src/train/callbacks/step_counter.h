// StepCounter: counts the optimizer steps that one fit() call actually runs, and the first one's
// number. A resumed run reports from it how far it went back and how much it trained; tests use it
// to tell a resume from a restart, which end in the same weights.
#pragma once

#include <cstdint>

#include "train/callback.h"

namespace descent {

class StepCounter : public Callback {
 public:
  void on_step_end(Model& /*model*/, const StepRecord& step) override {
    if (steps_ == 0) first_step_ = step.step;
    ++steps_;
  }
  std::int64_t steps() const { return steps_; }
  // The 1-based number of the first step run, 0 when none ran.
  std::int64_t first_step() const { return first_step_; }

 private:
  std::int64_t steps_ = 0;
  std::int64_t first_step_ = 0;
};

}  // namespace descent
