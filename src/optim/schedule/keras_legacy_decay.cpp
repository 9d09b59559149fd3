#include "optim/schedule/keras_legacy_decay.h"

#include "optim/schedule/check.h"

namespace descent {

KerasLegacyDecay::KerasLegacyDecay(double initial_lr, KerasLegacyDecayOptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("KerasLegacyDecay", "initial lr", initial_lr);
  schedule_check::non_negative("KerasLegacyDecay", "decay", options.decay);
}

double KerasLegacyDecay::lr(std::int64_t t) const {
  schedule_check::step("KerasLegacyDecay", t);
  return initial_lr_ / (1.0 + options_.decay * static_cast<double>(t));
}

}  // namespace descent
