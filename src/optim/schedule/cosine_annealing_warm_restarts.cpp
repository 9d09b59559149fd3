#include "optim/schedule/cosine_annealing_warm_restarts.h"

#include <cmath>
#include <numbers>

#include "optim/schedule/check.h"

namespace descent {

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(double initial_lr,
                                                         CosineAnnealingWarmRestartsOptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("CosineAnnealingWarmRestarts", "initial lr", initial_lr);
  schedule_check::at_least("CosineAnnealingWarmRestarts", "T_0", options.T_0, 1);
  schedule_check::at_least("CosineAnnealingWarmRestarts", "T_mult", options.T_mult, 1);
  schedule_check::non_negative("CosineAnnealingWarmRestarts", "eta_min", options.eta_min);
}

double CosineAnnealingWarmRestarts::lr(std::int64_t t) const {
  schedule_check::step("CosineAnnealingWarmRestarts", t);
  std::int64_t t_cur = t;
  std::int64_t t_i = options_.T_0;
  if (options_.T_mult == 1) {
    t_cur = t % t_i;
  } else {
    // Periods grow geometrically, so this runs O(log t) times.
    while (t_cur >= t_i) {
      t_cur -= t_i;
      t_i *= options_.T_mult;
    }
  }
  const double phase = std::numbers::pi * static_cast<double>(t_cur) / static_cast<double>(t_i);
  return options_.eta_min + (initial_lr_ - options_.eta_min) * (1.0 + std::cos(phase)) / 2.0;
}

nlohmann::json CosineAnnealingWarmRestarts::config() const {
  return options_to_json(options_);
}

}  // namespace descent
