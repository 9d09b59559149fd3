// StepLR (PyTorch 1.13 torch.optim.lr_scheduler.StepLR): decays η by gamma every step_size steps,
//   η(t) = η0 · gamma^⌊t / step_size⌋.
// PyTorch steps it recursively (η ← η·gamma at multiples of step_size); the closed form used here
// gives the same values (checked against stepped PyTorch in tests/fixtures/schedules.json).
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct StepLROptions {
  std::int64_t step_size = 0;  // required, >= 1
  double gamma = 0.1;          // > 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("step_size", &StepLROptions::step_size, Presence::required),
                      field("gamma", &StepLROptions::gamma)};
  }
};

class StepLR : public Schedule {
 public:
  StepLR(double initial_lr, StepLROptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "StepLR"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  StepLROptions options_;
};

}  // namespace descent
