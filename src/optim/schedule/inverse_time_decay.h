// InverseTimeDecay (Keras keras.optimizers.schedules.InverseTimeDecay):
//   η(t) = η0 / (1 + decay_rate · t / decay_steps),   with ⌊t / decay_steps⌋ if staircase.
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct InverseTimeDecayOptions {
  std::int64_t decay_steps = 0;  // required, >= 1
  double decay_rate = 0;         // required, >= 0
  bool staircase = false;

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{
        field("decay_steps", &InverseTimeDecayOptions::decay_steps, Presence::required),
        field("decay_rate", &InverseTimeDecayOptions::decay_rate, Presence::required),
        field("staircase", &InverseTimeDecayOptions::staircase)};
  }
};

class InverseTimeDecay : public Schedule {
 public:
  InverseTimeDecay(double initial_lr, InverseTimeDecayOptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "InverseTimeDecay"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  InverseTimeDecayOptions options_;
};

}  // namespace descent
