// CosineDecay (Keras 3 keras.optimizers.schedules.CosineDecay; SGDR, Loshchilov & Hutter,
// arXiv:1608.03983; linear warmup as Goyal et al., arXiv:1706.02677). Without warmup_target:
//   η(t) = η0 · ((1 − alpha) · (1 + cos(π min(t, D) / D)) / 2 + alpha),   D = decay_steps.
// With warmup_target: η rises linearly from η0 to warmup_target over warmup_steps,
//   η(t) = η0 + (warmup_target − η0) · t / warmup_steps   for t < warmup_steps,
// then decays as above from warmup_target (t counted from warmup_steps), ending at
// alpha · warmup_target. Unlike CosineAnnealingLR it stays at the end value after decay_steps.
#pragma once

#include <optional>
#include <tuple>

#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct CosineDecayOptions {
  std::int64_t decay_steps = 0;              // required, >= 1
  double alpha = 0.0;                        // in [0, 1]: final η as a fraction of the peak
  std::optional<double> warmup_target = {};  // peak η after warmup, finite > 0; none: no warmup
  std::int64_t warmup_steps = 0;             // >= 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("decay_steps", &CosineDecayOptions::decay_steps, Presence::required),
                      field("alpha", &CosineDecayOptions::alpha),
                      field("warmup_target", &CosineDecayOptions::warmup_target),
                      field("warmup_steps", &CosineDecayOptions::warmup_steps)};
  }
};

class CosineDecay : public Schedule {
 public:
  // η0 may be 0 when warming up (Keras's usual "warm up from 0"); otherwise it must be > 0.
  CosineDecay(double initial_lr, CosineDecayOptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "CosineDecay"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  CosineDecayOptions options_;
};

}  // namespace descent
