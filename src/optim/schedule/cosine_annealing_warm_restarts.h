// CosineAnnealingWarmRestarts (PyTorch 1.13 torch.optim.lr_scheduler.CosineAnnealingWarmRestarts;
// SGDR, Loshchilov & Hutter, arXiv:1608.03983): cosine annealing from η0 to eta_min over T_i steps,
// then a restart at η0 with T_{i+1} = T_i · T_mult (T_0 first):
//   η(t) = eta_min + (η0 − eta_min) · (1 + cos(π T_cur / T_i)) / 2,
// with T_cur the steps since the last restart. T_cur and T_i are found with integer arithmetic,
// exactly as PyTorch's step() counts them.
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct CosineAnnealingWarmRestartsOptions {
  std::int64_t T_0 = 0;     // required, >= 1: steps until the first restart
  std::int64_t T_mult = 1;  // >= 1: growth of the period after each restart
  double eta_min = 0.0;     // >= 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("T_0", &CosineAnnealingWarmRestartsOptions::T_0, Presence::required),
                      field("T_mult", &CosineAnnealingWarmRestartsOptions::T_mult),
                      field("eta_min", &CosineAnnealingWarmRestartsOptions::eta_min)};
  }
};

class CosineAnnealingWarmRestarts : public Schedule {
 public:
  CosineAnnealingWarmRestarts(double initial_lr, CosineAnnealingWarmRestartsOptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "CosineAnnealingWarmRestarts"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  CosineAnnealingWarmRestartsOptions options_;
};

}  // namespace descent
