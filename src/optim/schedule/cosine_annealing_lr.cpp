#include "optim/schedule/cosine_annealing_lr.h"

#include <cmath>
#include <numbers>

#include "optim/schedule/check.h"

namespace descent {

CosineAnnealingLR::CosineAnnealingLR(double initial_lr, CosineAnnealingLROptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("CosineAnnealingLR", "initial lr", initial_lr);
  schedule_check::at_least("CosineAnnealingLR", "T_max", options.T_max, 1);
  schedule_check::non_negative("CosineAnnealingLR", "eta_min", options.eta_min);
}

double CosineAnnealingLR::lr(std::int64_t t) const {
  schedule_check::step("CosineAnnealingLR", t);
  const double phase =
      std::numbers::pi * static_cast<double>(t) / static_cast<double>(options_.T_max);
  return options_.eta_min + (initial_lr_ - options_.eta_min) * (1.0 + std::cos(phase)) / 2.0;
}

nlohmann::json CosineAnnealingLR::config() const {
  return options_to_json(options_);
}

}  // namespace descent
