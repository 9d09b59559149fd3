// CosineAnnealingLR (PyTorch 1.13 torch.optim.lr_scheduler.CosineAnnealingLR; Loshchilov & Hutter,
// "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017, arXiv:1608.03983):
//   η(t) = eta_min + (η0 − eta_min) · (1 + cos(π t / T_max)) / 2.
// PyTorch 1.13 steps it through a recursive ("chainable") update with a special case at
// t = (2k+1)·T_max + 1. Stepped on its own, that recursion keeps following this closed form past
// T_max: η does NOT stay at eta_min but rises again with period 2·T_max. This class reproduces what
// stepped PyTorch produces (to ~1e-13 relative over 400 steps; see tests/fixtures/schedules.json).
// For anneal-once-and-stop use CosineDecay (Keras), which clamps t at decay_steps.
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct CosineAnnealingLROptions {
  std::int64_t T_max = 0;  // required, >= 1 (make_schedule defaults it to total_steps)
  double eta_min = 0.0;    // >= 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("T_max", &CosineAnnealingLROptions::T_max, Presence::required),
                      field("eta_min", &CosineAnnealingLROptions::eta_min)};
  }
};

class CosineAnnealingLR : public Schedule {
 public:
  CosineAnnealingLR(double initial_lr, CosineAnnealingLROptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "CosineAnnealingLR"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  CosineAnnealingLROptions options_;
};

}  // namespace descent
