// KerasLegacyDecay: the `decay` argument of Keras 2's optimizers (removed in Keras 3),
//   η(t) = η0 / (1 + decay · t),
// i.e. InverseTimeDecay with decay_steps = 1 and decay_rate = decay.
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct KerasLegacyDecayOptions {
  double decay = 0;  // required, >= 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("decay", &KerasLegacyDecayOptions::decay, Presence::required)};
  }
};

class KerasLegacyDecay : public Schedule {
 public:
  KerasLegacyDecay(double initial_lr, KerasLegacyDecayOptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "KerasLegacyDecay"; }
  nlohmann::json config() const override { return options_to_json(options_); }

 private:
  double initial_lr_;
  KerasLegacyDecayOptions options_;
};

}  // namespace descent
