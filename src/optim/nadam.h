// NAdam (Dozat, ICLR 2016 workshop, "Incorporating Nesterov Momentum into Adam") with the
// formulas of torch.optim.NAdam, t = the parameter's step and ψ = momentum_decay:
//   g = g + λ·w;  μ_t = β1·(1 − ½·0.96^(t·ψ));  Π_t = Π_{t−1}·μ_t
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  d = √(v / (1 − β2^t)) + ε
//   w = w − η·(1 − μ_t)/(1 − Π_t) · g / d − η·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m / d
// PyTorch 1.13 multiplies μ_t into Π twice in the last factor (Π_t·μ_t·μ_{t+1}); that bug was
// fixed in PyTorch 2.0 (pytorch/pytorch#92699) and descent follows the paper and PyTorch 2.
// Keras's Nadam is this rule with ψ = 1 (0.96^t): NAdamOptions::keras() sets it;
// Convention::keras also decays weights decoupled (w = w − η·λ·w first).
#pragma once

#include <array>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/convention.h"
#include "optim/optimizer.h"

namespace descent {

struct NAdamOptions {
  double lr = 2e-3;                            // η
  std::array<double, 2> betas = {0.9, 0.999};  // β1, β2 in [0, 1)
  double eps = 1e-8;                           // ε >= 0
  double weight_decay = 0.0;                   // λ >= 0
  double momentum_decay = 4e-3;                // ψ >= 0
  Convention convention = Convention::pytorch;
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &NAdamOptions::lr),
                      field("betas", &NAdamOptions::betas),
                      field("eps", &NAdamOptions::eps),
                      field("weight_decay", &NAdamOptions::weight_decay),
                      field("momentum_decay", &NAdamOptions::momentum_decay),
                      field("convention", &NAdamOptions::convention),
                      nested_fields(&NAdamOptions::clip)};
  }

  // keras.optimizers.Nadam(): η 1e-3, ε 1e-7, ψ 1.
  static NAdamOptions keras();
};

template <std::floating_point T>
class BasicNAdam final : public BasicOptimizer<T> {
 public:
  explicit BasicNAdam(const NAdamOptions& options = {});

  std::string name() const override { return "nadam"; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.betas[0]; }
  // Sets β1.
  void set_momentum(double beta1) override;
  std::vector<std::string> slot_names() const override { return {"exp_avg", "exp_avg_sq"}; }
  bool decouples_weight_decay() const override { return options_.convention == Convention::keras; }

 protected:
  // Slots plus one scalar, the μ product Π (starts at 1).
  void init_state(ParamState<T>& state, std::size_t size) const override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  NAdamOptions options_;
};

extern template class BasicNAdam<float>;
extern template class BasicNAdam<double>;

class NAdam final : public Optimizer {
 public:
  using Options = NAdamOptions;
  explicit NAdam(std::vector<Variable> params, const NAdamOptions& options = {});
};

}  // namespace descent
