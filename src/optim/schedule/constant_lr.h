// ConstantLR (PyTorch 1.13 torch.optim.lr_scheduler.ConstantLR): η0 · factor for the first
// total_iters steps, then η0:
//   η(t) = η0 · factor   for t < total_iters,   η0   for t >= total_iters.
// Closed form of PyTorch's recursive update (same values).
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct ConstantLROptions {
  double factor = 1.0 / 3.0;     // in (0, 1]
  std::int64_t total_iters = 5;  // >= 1

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("factor", &ConstantLROptions::factor),
                      field("total_iters", &ConstantLROptions::total_iters)};
  }
};

class ConstantLR : public Schedule {
 public:
  ConstantLR(double initial_lr, ConstantLROptions options = {});

  double lr(std::int64_t t) const override;
  std::string name() const override { return "ConstantLR"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  ConstantLROptions options_;
};

}  // namespace descent
