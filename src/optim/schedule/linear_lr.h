// LinearLR (PyTorch 1.13 torch.optim.lr_scheduler.LinearLR): the multiplier moves linearly from
// start_factor to end_factor over total_iters steps, then stays:
//   η(t) = η0 · (start + (end − start) · min(t, total_iters) / total_iters).
// The usual linear warmup (start_factor 0.1, end_factor 1). PyTorch's recursive update telescopes
// to this closed form (same values).
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct LinearLROptions {
  double start_factor = 1.0 / 3.0;  // in (0, 1]
  double end_factor = 1.0;          // in [0, 1]
  std::int64_t total_iters = 5;     // >= 1

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("start_factor", &LinearLROptions::start_factor),
                      field("end_factor", &LinearLROptions::end_factor),
                      field("total_iters", &LinearLROptions::total_iters)};
  }
};

class LinearLR : public Schedule {
 public:
  LinearLR(double initial_lr, LinearLROptions options = {});

  double lr(std::int64_t t) const override;
  std::string name() const override { return "LinearLR"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  LinearLROptions options_;
};

}  // namespace descent
