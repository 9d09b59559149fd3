#include "optim/schedule/polynomial_decay.h"

#include <algorithm>
#include <cmath>

#include "optim/schedule/check.h"

namespace descent {

PolynomialDecay::PolynomialDecay(double initial_lr, PolynomialDecayOptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("PolynomialDecay", "initial lr", initial_lr);
  schedule_check::at_least("PolynomialDecay", "decay_steps", options.decay_steps, 1);
  schedule_check::non_negative("PolynomialDecay", "end_learning_rate", options.end_learning_rate);
  schedule_check::positive("PolynomialDecay", "power", options.power);
}

double PolynomialDecay::lr(std::int64_t t) const {
  schedule_check::step("PolynomialDecay", t);
  const auto& o = options_;
  double step = static_cast<double>(t);
  double decay_steps = static_cast<double>(o.decay_steps);
  if (o.cycle) {
    if (t > 0) decay_steps *= std::ceil(step / decay_steps);
  } else {
    step = std::min(step, decay_steps);
  }
  const double p = step / decay_steps;
  return (initial_lr_ - o.end_learning_rate) * std::pow(1.0 - p, o.power) + o.end_learning_rate;
}

nlohmann::json PolynomialDecay::config() const {
  return options_to_json(options_);
}

}  // namespace descent
