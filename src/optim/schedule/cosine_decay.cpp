#include "optim/schedule/cosine_decay.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "optim/schedule/check.h"

namespace descent {

CosineDecay::CosineDecay(double initial_lr, CosineDecayOptions options)
    : initial_lr_(initial_lr), options_(options) {
  if (options.warmup_target) {
    schedule_check::non_negative("CosineDecay", "initial lr", initial_lr);
    schedule_check::positive_lr("CosineDecay", "warmup_target", *options.warmup_target);
  } else {
    schedule_check::positive_lr("CosineDecay", "initial lr", initial_lr);
  }
  schedule_check::at_least("CosineDecay", "decay_steps", options.decay_steps, 1);
  schedule_check::in_range("CosineDecay", "alpha", options.alpha, 0.0, 1.0);
  schedule_check::at_least("CosineDecay", "warmup_steps", options.warmup_steps, 0);
}

double CosineDecay::lr(std::int64_t t) const {
  schedule_check::step("CosineDecay", t);
  const auto& o = options_;
  const double decay_steps = static_cast<double>(o.decay_steps);
  const auto decayed = [&](double step, double from) {
    const double cosine = 0.5 * (1.0 + std::cos(std::numbers::pi * (step / decay_steps)));
    return from * ((1.0 - o.alpha) * cosine + o.alpha);
  };
  if (!o.warmup_target) return decayed(std::min(static_cast<double>(t), decay_steps), initial_lr_);
  const double warmup = static_cast<double>(o.warmup_steps);
  const double step = std::min(static_cast<double>(t), decay_steps + warmup);
  if (step < warmup) return (*o.warmup_target - initial_lr_) * (step / warmup) + initial_lr_;
  return decayed(step - warmup, *o.warmup_target);
}

nlohmann::json CosineDecay::config() const {
  return options_to_json(options_);
}

}  // namespace descent
