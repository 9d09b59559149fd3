// Prodigy (Mishchenko & Defazio, "Prodigy: An Expeditiously Adaptive Parameter-Free Learner",
// ICML 2024), with the formulas of the reference implementation (github.com/konstmish/prodigy,
// prodigyopt/prodigy.py at 3efb213): Adam whose step is scaled by an estimate d of the distance
// to the solution, one statistic of all parameters. With x the parameters as one vector, k the
// step (from 0), β3 = √β2 unless given, bc = √(1 − β2^(k+1))/(1 − β1^(k+1)) with
// use_bias_correction (else 1), and dλ = d·η·bc for the current d:
//   g = g + λ·x                                    (decouple false: L2)
//   r = β3·r + (d/d0)·dλ·⟨g, x0 − x⟩;  m = β1·m + d(1 − β1)·g;  v = β2·v + d²(1 − β2)·g²
//   s = β3·s + (d/d0)·dλ·g                         (safeguard_warmup: (d/d0)·d·g)
//   d̂ = d_coef·r / ‖s‖₁;  d = max(d, d̂) on the first estimate;  d_max = max(d_max, d̂);
//   d = min(d_max, d·growth_rate)
//   x = x − dλ·λ·x                                 (decouple true)
//   x = x − dλ·m / (√v + d·ε)                      (β1 = 0: x = x − dλ·d·g / (√v + d·ε))
// with the new d in the last line and dλ of the old one. While ‖s‖₁ is 0 (every gradient so far
// 0) the reference returns before the update: no parameter moves and k stays. η (lr) is the
// multiplier of the estimated step, 1 by default; η schedules scale it. Parameters without a
// gradient take no part in a step, sums included, as in the reference. A group's lr_scale scales
// its η wherever η appears (the reference allows one η for all groups).
#pragma once

#include <array>
#include <optional>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/optimizer.h"

namespace descent {

struct ProdigyOptions {
  double lr = 1.0;                             // η, multiplier of the estimated step
  std::array<double, 2> betas = {0.9, 0.999};  // β1, β2 in [0, 1)
  std::optional<double> beta3;                 // in [0, 1); empty: √β2
  double eps = 1e-8;                           // ε > 0, scaled by d
  double weight_decay = 0.0;                   // λ >= 0
  bool decouple = true;                        // AdamW-style decay, else L2
  bool use_bias_correction = false;
  bool safeguard_warmup = false;      // leaves η out of s, against a d too small during warm-up
  double d0 = 1e-6;                   // initial d > 0
  double d_coef = 1.0;                // > 0, scales every estimate of d
  std::optional<double> growth_rate;  // >= 1, the most d may grow per step; empty: unbounded
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &ProdigyOptions::lr),
                      field("betas", &ProdigyOptions::betas),
                      field("beta3", &ProdigyOptions::beta3),
                      field("eps", &ProdigyOptions::eps),
                      field("weight_decay", &ProdigyOptions::weight_decay),
                      field("decouple", &ProdigyOptions::decouple),
                      field("use_bias_correction", &ProdigyOptions::use_bias_correction),
                      field("safeguard_warmup", &ProdigyOptions::safeguard_warmup),
                      field("d0", &ProdigyOptions::d0),
                      field("d_coef", &ProdigyOptions::d_coef),
                      field("growth_rate", &ProdigyOptions::growth_rate),
                      nested_fields(&ProdigyOptions::clip)};
  }

  // Keras has no Prodigy: the same defaults.
  static ProdigyOptions keras() { return {}; }
};

template <std::floating_point T>
class BasicProdigy final : public BasicOptimizer<T> {
 public:
  explicit BasicProdigy(const ProdigyOptions& options = {});

  std::string name() const override { return "prodigy"; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.betas[0]; }
  // Sets β1.
  void set_momentum(double beta1) override;
  std::vector<std::string> slot_names() const override {
    return {"exp_avg", "exp_avg_sq", "s", "p0"};
  }
  bool decouples_weight_decay() const override { return options_.decouple; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  bool prepare_step(std::span<const ParamSlice<T>> params,
                    std::span<ParamState<T>> states) override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  // scalars(): d, d_max, the numerator r, the step k.
  enum Scalar { kD, kDMax, kNumerator, kK };

  ProdigyOptions options_;
  // Set by prepare_step() for this step's updates: d before its new estimate, and bc.
  double d_before_ = 0;
  double bias_correction_ = 1;
};

extern template class BasicProdigy<float>;
extern template class BasicProdigy<double>;

class Prodigy final : public Optimizer {
 public:
  using Options = ProdigyOptions;
  explicit Prodigy(std::vector<Variable> params, const ProdigyOptions& options = {});
};

}  // namespace descent
