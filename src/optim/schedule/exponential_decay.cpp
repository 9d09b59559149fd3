#include "optim/schedule/exponential_decay.h"

#include <cmath>

#include "optim/schedule/check.h"

namespace descent {

ExponentialDecay::ExponentialDecay(double initial_lr, ExponentialDecayOptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("ExponentialDecay", "initial lr", initial_lr);
  schedule_check::at_least("ExponentialDecay", "decay_steps", options.decay_steps, 1);
  schedule_check::positive("ExponentialDecay", "decay_rate", options.decay_rate);
}

double ExponentialDecay::lr(std::int64_t t) const {
  schedule_check::step("ExponentialDecay", t);
  double p = static_cast<double>(t) / static_cast<double>(options_.decay_steps);
  if (options_.staircase) p = std::floor(p);
  return initial_lr_ * std::pow(options_.decay_rate, p);
}

nlohmann::json ExponentialDecay::config() const {
  return options_to_json(options_);
}

}  // namespace descent
