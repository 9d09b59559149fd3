#include "optim/schedule/multi_step_lr.h"

#include <algorithm>
#include <cmath>

#include "optim/schedule/check.h"

namespace descent {

MultiStepLR::MultiStepLR(double initial_lr, MultiStepLROptions options)
    : initial_lr_(initial_lr), options_(std::move(options)) {
  schedule_check::positive_lr("MultiStepLR", "initial lr", initial_lr);
  schedule_check::increasing("MultiStepLR", "milestones", options_.milestones, 0);
  schedule_check::positive("MultiStepLR", "gamma", options_.gamma);
}

double MultiStepLR::lr(std::int64_t t) const {
  schedule_check::step("MultiStepLR", t);
  const auto& m = options_.milestones;
  const auto passed = std::upper_bound(m.begin(), m.end(), t) - m.begin();
  return initial_lr_ * std::pow(options_.gamma, static_cast<double>(passed));
}

nlohmann::json MultiStepLR::config() const {
  return options_to_json(options_);
}

}  // namespace descent
