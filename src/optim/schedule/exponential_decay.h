// ExponentialDecay (Keras keras.optimizers.schedules.ExponentialDecay):
//   η(t) = η0 · decay_rate^(t / decay_steps),   with ⌊t / decay_steps⌋ if staircase.
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct ExponentialDecayOptions {
  std::int64_t decay_steps = 0;  // required, >= 1
  double decay_rate = 0;         // required, > 0
  bool staircase = false;

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{
        field("decay_steps", &ExponentialDecayOptions::decay_steps, Presence::required),
        field("decay_rate", &ExponentialDecayOptions::decay_rate, Presence::required),
        field("staircase", &ExponentialDecayOptions::staircase)};
  }
};

class ExponentialDecay : public Schedule {
 public:
  ExponentialDecay(double initial_lr, ExponentialDecayOptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "ExponentialDecay"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  ExponentialDecayOptions options_;
};

}  // namespace descent
