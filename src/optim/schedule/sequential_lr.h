// SequentialLR (PyTorch 1.13 torch.optim.lr_scheduler.SequentialLR): runs schedules one after
// another, switching at the milestones; each starts from its own t = 0:
//   η(t) = schedules[i].lr(t − milestones[i−1])   for milestones[i−1] <= t < milestones[i].
// This is what stepped PyTorch gives when each schedule is built on the same optimizer (at a
// milestone PyTorch calls step(0), restarting the next schedule from its base η). The usual use is
// a warmup (LinearLR) followed by a decay. momentum() and observe() go to the active schedule.
#pragma once

#include <memory>
#include <vector>

#include "optim/schedule/schedule.h"

namespace descent {

class SequentialLR : public Schedule {
 public:
  // At least 2 schedules and one fewer milestones, strictly increasing and >= 1.
  SequentialLR(std::vector<std::unique_ptr<Schedule>> schedules,
               std::vector<std::int64_t> milestones);

  double lr(std::int64_t t) const override;
  std::optional<double> momentum(std::int64_t t) const override;
  void observe(std::int64_t t, double metric) override;
  std::string name() const override { return "SequentialLR"; }
  nlohmann::json config() const override;
  // Also carries each schedule's own state under meta["children"].
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

 private:
  // Index of the schedule active at t, and t in that schedule's own count.
  std::pair<std::size_t, std::int64_t> locate(std::int64_t t) const;

  std::vector<std::unique_ptr<Schedule>> schedules_;
  std::vector<std::int64_t> milestones_;
};

}  // namespace descent
