// ExponentialLR (PyTorch 1.13 torch.optim.lr_scheduler.ExponentialLR): η(t) = η0 · gamma^t.
// Closed form of PyTorch's recursive update (same values).
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct ExponentialLROptions {
  double gamma = 0;  // required, > 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("gamma", &ExponentialLROptions::gamma, Presence::required)};
  }
};

class ExponentialLR : public Schedule {
 public:
  ExponentialLR(double initial_lr, ExponentialLROptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "ExponentialLR"; }
  nlohmann::json config() const override { return options_to_json(options_); }

 private:
  double initial_lr_;
  ExponentialLROptions options_;
};

}  // namespace descent
