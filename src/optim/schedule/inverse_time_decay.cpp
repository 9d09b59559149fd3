#include "optim/schedule/inverse_time_decay.h"

#include <cmath>

#include "optim/schedule/check.h"

namespace descent {

InverseTimeDecay::InverseTimeDecay(double initial_lr, InverseTimeDecayOptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("InverseTimeDecay", "initial lr", initial_lr);
  schedule_check::at_least("InverseTimeDecay", "decay_steps", options.decay_steps, 1);
  schedule_check::non_negative("InverseTimeDecay", "decay_rate", options.decay_rate);
}

double InverseTimeDecay::lr(std::int64_t t) const {
  schedule_check::step("InverseTimeDecay", t);
  double p = static_cast<double>(t) / static_cast<double>(options_.decay_steps);
  if (options_.staircase) p = std::floor(p);
  return initial_lr_ / (1.0 + options_.decay_rate * p);
}

nlohmann::json InverseTimeDecay::config() const {
  return options_to_json(options_);
}

}  // namespace descent
