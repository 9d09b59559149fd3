// PolynomialLR (PyTorch 1.13 torch.optim.lr_scheduler.PolynomialLR, new in 1.13):
//   η(t) = η0 · (1 − min(t, total_iters) / total_iters)^power,
// which reaches 0 at total_iters and stays there. PyTorch's recursive update telescopes to this
// closed form (same values).
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct PolynomialLROptions {
  std::int64_t total_iters = 5;  // >= 1
  double power = 1.0;            // > 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("total_iters", &PolynomialLROptions::total_iters),
                      field("power", &PolynomialLROptions::power)};
  }
};

class PolynomialLR : public Schedule {
 public:
  PolynomialLR(double initial_lr, PolynomialLROptions options = {});

  double lr(std::int64_t t) const override;
  std::string name() const override { return "PolynomialLR"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  PolynomialLROptions options_;
};

}  // namespace descent
