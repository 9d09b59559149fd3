// D-Adaptation SGD (Defazio & Mishchenko, "Learning-Rate-Free Learning by D-Adaptation", ICML
// 2023), with the formulas of the reference implementation (github.com/facebookresearch/
// dadaptation, dadaptation/dadapt_sgd.py at c984980): SGD in dual-averaging form whose step is
// d·η/‖g₀‖, d a lower bound on the distance to the solution, one statistic of all parameters.
// With x the parameters as one vector, ‖g₀‖ the first step's gradient norm (without weight
// decay, as in the reference) and dλ = d·η/‖g₀‖ for the current d:
//   g = g + λ·x;  r = r + dλ·⟨g, s⟩;  s = s + dλ·g
//   d̂ = 2r/‖s‖₂;  d = max(d, min(d̂, d·growth_rate))
//   x = μ·x + (1 − μ)·(x0 − s)                     (μ the momentum)
// While s is 0 (every gradient so far 0) the reference returns before the update: no parameter
// moves, and neither does one here while ‖g₀‖ is 0 (the reference divides by it). η (lr) is the
// multiplier of the estimated step, 1 by default; η schedules scale it. Parameters without a
// gradient take no part in a step, sums included, as in the reference. A group's lr_scale scales
// its η wherever η appears (the reference allows one η for all groups).
#pragma once

#include <optional>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/optimizer.h"

namespace descent {

struct DAdaptSGDOptions {
  double lr = 1.0;                    // η, multiplier of the estimated step
  double momentum = 0.0;              // μ in [0, 1)
  double weight_decay = 0.0;          // λ >= 0, L2
  double d0 = 1e-6;                   // initial d > 0
  std::optional<double> growth_rate;  // >= 1, the most d may grow per step; empty: unbounded
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &DAdaptSGDOptions::lr),
                      field("momentum", &DAdaptSGDOptions::momentum),
                      field("weight_decay", &DAdaptSGDOptions::weight_decay),
                      field("d0", &DAdaptSGDOptions::d0),
                      field("growth_rate", &DAdaptSGDOptions::growth_rate),
                      nested_fields(&DAdaptSGDOptions::clip)};
  }

  // Keras has no D-Adaptation: the same defaults.
  static DAdaptSGDOptions keras() { return {}; }
};

template <std::floating_point T>
class BasicDAdaptSGD final : public BasicOptimizer<T> {
 public:
  explicit BasicDAdaptSGD(const DAdaptSGDOptions& options = {});

  std::string name() const override { return "dadapt_sgd"; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.momentum; }
  void set_momentum(double momentum) override;
  std::vector<std::string> slot_names() const override { return {"s", "x0"}; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  bool prepare_step(std::span<const ParamSlice<T>> params,
                    std::span<ParamState<T>> states) override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  // scalars(): d, the numerator r, ‖g₀‖, the step k.
  enum Scalar { kD, kNumerator, kG0Norm, kK };

  DAdaptSGDOptions options_;
};

extern template class BasicDAdaptSGD<float>;
extern template class BasicDAdaptSGD<double>;

class DAdaptSGD final : public Optimizer {
 public:
  using Options = DAdaptSGDOptions;
  explicit DAdaptSGD(std::vector<Variable> params, const DAdaptSGDOptions& options = {});
};

}  // namespace descent
