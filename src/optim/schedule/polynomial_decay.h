// PolynomialDecay (Keras keras.optimizers.schedules.PolynomialDecay): from η0 to end_learning_rate
// over decay_steps,
//   η(t) = (η0 − end) · (1 − min(t, D) / D)^power + end,   D = decay_steps;
// with cycle, D = decay_steps · ⌈t / decay_steps⌉ (decay_steps at t = 0), so η restarts from a
// lower peak after each period instead of staying at end.
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct PolynomialDecayOptions {
  std::int64_t decay_steps = 0;     // required, >= 1
  double end_learning_rate = 1e-4;  // >= 0
  double power = 1.0;               // > 0
  bool cycle = false;

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{
        field("decay_steps", &PolynomialDecayOptions::decay_steps, Presence::required),
        field("end_learning_rate", &PolynomialDecayOptions::end_learning_rate),
        field("power", &PolynomialDecayOptions::power),
        field("cycle", &PolynomialDecayOptions::cycle)};
  }
};

class PolynomialDecay : public Schedule {
 public:
  PolynomialDecay(double initial_lr, PolynomialDecayOptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "PolynomialDecay"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  PolynomialDecayOptions options_;
};

}  // namespace descent
