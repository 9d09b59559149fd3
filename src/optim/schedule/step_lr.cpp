#include "optim/schedule/step_lr.h"

#include <cmath>

#include "optim/schedule/check.h"

namespace descent {

StepLR::StepLR(double initial_lr, StepLROptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("StepLR", "initial lr", initial_lr);
  schedule_check::at_least("StepLR", "step_size", options.step_size, 1);
  schedule_check::positive("StepLR", "gamma", options.gamma);
}

double StepLR::lr(std::int64_t t) const {
  schedule_check::step("StepLR", t);
  return initial_lr_ * std::pow(options_.gamma, static_cast<double>(t / options_.step_size));
}

nlohmann::json StepLR::config() const {
  return options_to_json(options_);
}

}  // namespace descent
