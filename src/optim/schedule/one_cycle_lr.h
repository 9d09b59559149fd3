// OneCycleLR (PyTorch 1.13 torch.optim.lr_scheduler.OneCycleLR; Smith & Topin, "Super-Convergence:
// Very Fast Training of Neural Networks Using Large Learning Rates", arXiv:1708.07120): η rises
// from max_lr / div_factor to max_lr over the first pct_start of total_steps, then anneals to
// (max_lr / div_factor) / final_div_factor. With three_phase it first comes back down to the start
// value symmetrically, then anneals to the minimum in a third phase (the paper's version).
// Each phase anneals with
//   cos:    η = end + (start − end) / 2 · (1 + cos(π p)),   linear: η = start + (end − start) · p,
// p the fraction of the phase done. Phase boundaries, as PyTorch, are at pct_start·total_steps − 1
// (and 2·pct_start·total_steps − 2 with three_phase) and total_steps − 1. With cycle_momentum the
// momentum goes the other way (max_momentum → base_momentum → max_momentum).
// max_lr defaults to the optimizer's initial η. As PyTorch, t may reach total_steps (the value
// after the last step, extrapolated past the end with linear annealing); lr(t) throws past it.
#pragma once

#include <array>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

enum class OneCycleAnneal { cos, linear };

constexpr auto enum_names(OneCycleAnneal) {
  return std::array{EnumName<OneCycleAnneal>{"cos", OneCycleAnneal::cos},
                    EnumName<OneCycleAnneal>{"linear", OneCycleAnneal::linear}};
}

struct OneCycleLROptions {
  std::optional<double> max_lr = {};  // peak η, finite > 0; default the optimizer's initial η
  std::int64_t total_steps = 0;       // required, >= 2 (make_schedule fills in its total_steps)
  double pct_start = 0.3;             // in (0, 1): fraction of steps spent rising
  OneCycleAnneal anneal_strategy = OneCycleAnneal::cos;
  bool cycle_momentum = true;     // whether momentum() cycles
  double base_momentum = 0.85;    // in [0, 1), <= max_momentum
  double max_momentum = 0.95;     // in [0, 1)
  double div_factor = 25.0;       // > 0: start η = max_lr / div_factor
  double final_div_factor = 1e4;  // > 0: final η = start η / final_div_factor
  bool three_phase = false;

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("max_lr", &OneCycleLROptions::max_lr),
                      field("total_steps", &OneCycleLROptions::total_steps, Presence::required),
                      field("pct_start", &OneCycleLROptions::pct_start),
                      field("anneal_strategy", &OneCycleLROptions::anneal_strategy),
                      field("cycle_momentum", &OneCycleLROptions::cycle_momentum),
                      field("base_momentum", &OneCycleLROptions::base_momentum),
                      field("max_momentum", &OneCycleLROptions::max_momentum),
                      field("div_factor", &OneCycleLROptions::div_factor),
                      field("final_div_factor", &OneCycleLROptions::final_div_factor),
                      field("three_phase", &OneCycleLROptions::three_phase)};
  }
};

class OneCycleLR : public Schedule {
 public:
  OneCycleLR(double initial_lr, OneCycleLROptions options);

  double lr(std::int64_t t) const override;
  std::optional<double> momentum(std::int64_t t) const override;
  std::optional<std::int64_t> last_step() const override { return options_.total_steps; }
  std::string name() const override { return "OneCycleLR"; }
  nlohmann::json config() const override;

 private:
  struct Phase {
    double end_step;
    double start_lr, end_lr;
    double start_momentum, end_momentum;
  };
  // The phase containing t and the fraction p of it done.
  std::pair<const Phase*, double> locate(std::int64_t t) const;
  double anneal(double start, double end, double pct) const;

  OneCycleLROptions options_;
  double max_lr_;
  std::vector<Phase> phases_;
};

// The strategy spelled as make_schedule() reads it; throws InvalidArgument for any other name.
OneCycleAnneal parse_one_cycle_anneal(std::string_view text);

}  // namespace descent
