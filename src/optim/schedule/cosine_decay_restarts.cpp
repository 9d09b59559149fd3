#include "optim/schedule/cosine_decay_restarts.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "optim/schedule/check.h"

namespace descent {

CosineDecayRestarts::CosineDecayRestarts(double initial_lr, CosineDecayRestartsOptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("CosineDecayRestarts", "initial lr", initial_lr);
  schedule_check::at_least("CosineDecayRestarts", "first_decay_steps", options.first_decay_steps,
                           1);
  schedule_check::in_range("CosineDecayRestarts", "t_mul", options.t_mul, 1.0,
                           std::numeric_limits<double>::max());
  schedule_check::positive("CosineDecayRestarts", "m_mul", options.m_mul);
  schedule_check::in_range("CosineDecayRestarts", "alpha", options.alpha, 0.0, 1.0);
}

double CosineDecayRestarts::lr(std::int64_t t) const {
  schedule_check::step("CosineDecayRestarts", t);
  const auto& o = options_;
  const double c = static_cast<double>(t) / static_cast<double>(o.first_decay_steps);
  double restart = 0.0;
  double fraction = 0.0;
  if (o.t_mul == 1.0) {
    restart = std::floor(c);
    fraction = c - restart;
  } else {
    // Start of period i, in units of first_decay_steps: (1 − t_mul^i) / (1 − t_mul).
    const auto period_start = [&](double i) {
      return (1.0 - std::pow(o.t_mul, i)) / (1.0 - o.t_mul);
    };
    restart = std::floor(std::log(1.0 - c * (1.0 - o.t_mul)) / std::log(o.t_mul));
    while (period_start(restart + 1.0) <= c)
      restart += 1.0;
    while (restart > 0.0 && period_start(restart) > c)
      restart -= 1.0;
    fraction = (c - period_start(restart)) / std::pow(o.t_mul, restart);
  }
  const double cosine =
      0.5 * std::pow(o.m_mul, restart) * (1.0 + std::cos(std::numbers::pi * fraction));
  return initial_lr_ * ((1.0 - o.alpha) * cosine + o.alpha);
}

nlohmann::json CosineDecayRestarts::config() const {
  return options_to_json(options_);
}

}  // namespace descent
