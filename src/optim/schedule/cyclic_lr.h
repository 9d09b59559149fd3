// CyclicLR (PyTorch 1.13 torch.optim.lr_scheduler.CyclicLR; Smith, "Cyclical Learning Rates for
// Training Neural Networks", WACV 2017, arXiv:1506.01186): η climbs linearly from base_lr (= η0,
// the optimizer's initial η) to max_lr over step_size_up steps, falls back over step_size_down,
// and repeats. With cycle = ⌊1 + t/(up+down)⌋, x the position in the cycle and s ∈ [0, 1] the
// height of the triangle at x:
//   η(t) = base_lr + (max_lr − base_lr) · s · scale,
//   triangular: scale = 1;  triangular2: scale = 1 / 2^(cycle−1);  exp_range: scale = gamma^t.
// With cycle_momentum the momentum moves the opposite way, from max_momentum down to base_momentum:
//   m(t) = max_momentum − (max_momentum − base_momentum) · s · scale.
// Same arithmetic as PyTorch's get_lr() (it has no recursive form).
#pragma once

#include <array>
#include <optional>
#include <tuple>

#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

enum class CyclicLRMode { triangular, triangular2, exp_range };

constexpr auto enum_names(CyclicLRMode) {
  return std::array{EnumName<CyclicLRMode>{"triangular", CyclicLRMode::triangular},
                    EnumName<CyclicLRMode>{"triangular2", CyclicLRMode::triangular2},
                    EnumName<CyclicLRMode>{"exp_range", CyclicLRMode::exp_range}};
}

struct CyclicLROptions {
  double max_lr = 0;                                // required, finite, > 0
  std::int64_t step_size_up = 2000;                 // >= 1
  std::optional<std::int64_t> step_size_down = {};  // >= 1; default step_size_up
  CyclicLRMode mode = CyclicLRMode::triangular;
  double gamma = 1.0;          // > 0, used by exp_range
  bool cycle_momentum = true;  // whether momentum() cycles
  double base_momentum = 0.8;  // in [0, 1), <= max_momentum
  double max_momentum = 0.9;   // in [0, 1)

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("max_lr", &CyclicLROptions::max_lr, Presence::required),
                      field("step_size_up", &CyclicLROptions::step_size_up),
                      field("step_size_down", &CyclicLROptions::step_size_down),
                      field("mode", &CyclicLROptions::mode),
                      field("gamma", &CyclicLROptions::gamma),
                      field("cycle_momentum", &CyclicLROptions::cycle_momentum),
                      field("base_momentum", &CyclicLROptions::base_momentum),
                      field("max_momentum", &CyclicLROptions::max_momentum)};
  }
};

class CyclicLR : public Schedule {
 public:
  CyclicLR(double initial_lr, CyclicLROptions options);

  double lr(std::int64_t t) const override;
  std::optional<double> momentum(std::int64_t t) const override;
  std::string name() const override { return "CyclicLR"; }
  nlohmann::json config() const override;

 private:
  // s · scale at t (the fraction of the amplitude used).
  double height(std::int64_t t) const;

  double base_lr_;
  CyclicLROptions options_;
  std::int64_t step_size_down_;
};

// The mode spelled as make_schedule() reads it; throws InvalidArgument for any other name.
CyclicLRMode parse_cyclic_lr_mode(std::string_view text);

}  // namespace descent
