// CosineDecayRestarts (Keras keras.optimizers.schedules.CosineDecayRestarts; SGDR, Loshchilov &
// Hutter, arXiv:1608.03983): cosine decay over first_decay_steps, then warm restarts; period i
// lasts first_decay_steps · t_mul^i steps and restarts from m_mul^i · η0:
//   η(t) = η0 · ((1 − alpha) · m_mul^i · (1 + cos(π f)) / 2 + alpha),
// i the restart index and f ∈ [0, 1) the fraction of period i done. Keras finds i as
// ⌊log(1 − c(1 − t_mul)) / log t_mul⌋ (c = t / first_decay_steps), which floating point can put
// one short exactly at a restart (log 8 / log 2 < 3); here i is that estimate corrected so that t
// exactly at a restart starts the new period.
#pragma once

#include <tuple>
#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct CosineDecayRestartsOptions {
  std::int64_t first_decay_steps = 0;  // required, >= 1
  double t_mul = 2.0;                  // >= 1: period growth
  double m_mul = 1.0;                  // > 0: restart height factor
  double alpha = 0.0;                  // in [0, 1]: floor as a fraction of η0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("first_decay_steps", &CosineDecayRestartsOptions::first_decay_steps,
                            Presence::required),
                      field("t_mul", &CosineDecayRestartsOptions::t_mul),
                      field("m_mul", &CosineDecayRestartsOptions::m_mul),
                      field("alpha", &CosineDecayRestartsOptions::alpha)};
  }
};

class CosineDecayRestarts : public Schedule {
 public:
  CosineDecayRestarts(double initial_lr, CosineDecayRestartsOptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "CosineDecayRestarts"; }
  nlohmann::json config() const override;

 private:
  double initial_lr_;
  CosineDecayRestartsOptions options_;
};

}  // namespace descent
