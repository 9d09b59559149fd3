// D-Adaptation Adam (Defazio & Mishchenko, "Learning-Rate-Free Learning by D-Adaptation", ICML
// 2023), with the formulas of the reference implementation (github.com/facebookresearch/
// dadaptation, dadaptation/dadapt_adam.py at c984980): Adam whose step is scaled by d, a lower
// bound on the distance to the solution, one statistic of all parameters. With x the
// parameters as one vector, k the step (from 0), bc = √(1 − β2^(k+1))/(1 − β1^(k+1)) with
// use_bias_correction (else 1), dλ = d·η·bc for the current d and ρ the group's lr_scale (the
// reference's layer_scale):
//   g = g + λ·x                                     (decouple false: L2)
//   a = a + ρ·dλ·⟨g, s / (√v + ε)⟩                  (v, s before this step)
//   m = β1·m + ρ·dλ·(1 − β1)·g;  v = β2·v + (1 − β2)·g²;  s = √β2·s + dλ·(1 − √β2)·g
//   r = √β2·r + (1 − √β2)·a;  d̂ = r / ((1 − √β2)·ρ·‖s‖₁);  d = max(d, min(d̂, d·growth_rate))
//   x = x − dλ·λ·x                                  (decouple true)
//   x = x − m / (√v + ε)
// (ρ·‖s‖₁ summed over the parameters). While ‖s‖₁ is 0 (every gradient so far 0) the reference
// returns before the update: no parameter moves and k stays. η (lr) is the multiplier of the
// estimated step, 1 by default; η schedules scale it. Parameters without a gradient take no part
// in a step, sums included, as in the reference.
#pragma once

#include <array>
#include <optional>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/optimizer.h"

namespace descent {

struct DAdaptAdamOptions {
  double lr = 1.0;                             // η, multiplier of the estimated step
  std::array<double, 2> betas = {0.9, 0.999};  // β1, β2 in [0, 1)
  double eps = 1e-8;                           // ε > 0
  double weight_decay = 0.0;                   // λ >= 0
  bool decouple = false;                       // AdamW-style decay, else L2
  bool use_bias_correction = false;
  double d0 = 1e-6;                   // initial d > 0
  std::optional<double> growth_rate;  // >= 1, the most d may grow per step; empty: unbounded
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &DAdaptAdamOptions::lr),
                      field("betas", &DAdaptAdamOptions::betas),
                      field("eps", &DAdaptAdamOptions::eps),
                      field("weight_decay", &DAdaptAdamOptions::weight_decay),
                      field("decouple", &DAdaptAdamOptions::decouple),
                      field("use_bias_correction", &DAdaptAdamOptions::use_bias_correction),
                      field("d0", &DAdaptAdamOptions::d0),
                      field("growth_rate", &DAdaptAdamOptions::growth_rate),
                      nested_fields(&DAdaptAdamOptions::clip)};
  }

  // Keras has no D-Adaptation: the same defaults.
  static DAdaptAdamOptions keras() { return {}; }
};

template <std::floating_point T>
class BasicDAdaptAdam final : public BasicOptimizer<T> {
 public:
  explicit BasicDAdaptAdam(const DAdaptAdamOptions& options = {});

  std::string name() const override { return "dadapt_adam"; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.betas[0]; }
  // Sets β1.
  void set_momentum(double beta1) override;
  std::vector<std::string> slot_names() const override { return {"exp_avg", "exp_avg_sq", "s"}; }
  bool decouples_weight_decay() const override { return options_.decouple; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  bool prepare_step(std::span<const ParamSlice<T>> params,
                    std::span<ParamState<T>> states) override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  // scalars(): d, the numerator r, the step k.
  enum Scalar { kD, kNumerator, kK };

  DAdaptAdamOptions options_;
  // This step's dλ, of d before its new estimate; set by prepare_step().
  double dlr_ = 0;
};

extern template class BasicDAdaptAdam<float>;
extern template class BasicDAdaptAdam<double>;

class DAdaptAdam final : public Optimizer {
 public:
  using Options = DAdaptAdamOptions;
  explicit DAdaptAdam(std::vector<Variable> params, const DAdaptAdamOptions& options = {});
};

}  // namespace descent
