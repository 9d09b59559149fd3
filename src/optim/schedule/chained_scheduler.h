// ChainedScheduler (PyTorch 1.13 torch.optim.lr_scheduler.ChainedScheduler): applies several
// schedules at once; their multiplicative factors multiply:
//   η(t) = η0 · Π_k (schedules[k].lr(t) / η0),
// every schedule being built with the same η0. This equals stepped PyTorch for the multiplicative
// schedules (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, and
// CosineAnnealingLR with eta_min 0 up to T_max), whose recursive updates each scale the shared η.
// momentum() is the last schedule's that cycles it (PyTorch: the last one to write it wins);
// observe() goes to every schedule.
#pragma once

#include <memory>
#include <vector>

#include "optim/schedule/schedule.h"

namespace descent {

class ChainedScheduler : public Schedule {
 public:
  // At least one schedule, each built with initial_lr.
  ChainedScheduler(double initial_lr, std::vector<std::unique_ptr<Schedule>> schedules);

  double lr(std::int64_t t) const override;
  std::optional<double> momentum(std::int64_t t) const override;
  void observe(std::int64_t t, double metric) override;
  std::string name() const override { return "ChainedScheduler"; }
  nlohmann::json config() const override;
  // Also carries each schedule's own state under meta["children"].
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

 private:
  double initial_lr_;
  std::vector<std::unique_ptr<Schedule>> schedules_;
};

}  // namespace descent
