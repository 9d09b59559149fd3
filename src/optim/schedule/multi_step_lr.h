// MultiStepLR (PyTorch 1.13 torch.optim.lr_scheduler.MultiStepLR): decays η by gamma at each
// milestone, η(t) = η0 · gamma^(number of milestones <= t). Closed form of PyTorch's recursive
// update (same values). Milestones must be strictly increasing here (PyTorch also accepts repeats,
// which multiply gamma in).
#pragma once

#include <tuple>
#include <vector>

#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct MultiStepLROptions {
  std::vector<std::int64_t> milestones;  // required, strictly increasing, >= 0
  double gamma = 0.1;                    // > 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("milestones", &MultiStepLROptions::milestones, Presence::required),
                      field("gamma", &MultiStepLROptions::gamma)};
  }
};

class MultiStepLR : public Schedule {
 public:
  MultiStepLR(double initial_lr, MultiStepLROptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "MultiStepLR"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  MultiStepLROptions options_;
};

}  // namespace descent
