// Adam (Kingma & Ba, ICLR 2015) and its AMSGrad variant (Reddi, Kale & Kumar, ICLR 2018) with
// the formulas of torch.optim.Adam (1.13), t = the parameter's step:
//   g = g + λ·w                       (L2 weight decay; AdamW decays decoupled instead)
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  amsgrad: v̂ = max(v̂, v), used for v
//   w = w − η/(1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
// Convention::keras uses Keras's "ε hat" form, w = w − η·√(1 − β2^t)/(1 − β1^t) · m / (√v + ε),
// and decays weights decoupled (w = w − η·λ·w first), which makes Adam(keras) equal AdamW(keras).
#pragma once

#include <array>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/convention.h"
#include "optim/optimizer.h"

namespace descent {

struct AdamOptions {
  double lr = 1e-3;                            // η
  std::array<double, 2> betas = {0.9, 0.999};  // β1, β2 in [0, 1)
  double eps = 1e-8;                           // ε >= 0
  double weight_decay = 0.0;                   // λ >= 0
  bool amsgrad = false;
  Convention convention = Convention::pytorch;
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{
        field("lr", &AdamOptions::lr),           field("betas", &AdamOptions::betas),
        field("eps", &AdamOptions::eps),         field("weight_decay", &AdamOptions::weight_decay),
        field("amsgrad", &AdamOptions::amsgrad), field("convention", &AdamOptions::convention),
        nested_fields(&AdamOptions::clip)};
  }

  // keras.optimizers.Adam(): ε 1e-7 in the ε-hat form.
  static AdamOptions keras();
};

template <std::floating_point T>
class BasicAdam : public BasicOptimizer<T> {
 public:
  explicit BasicAdam(const AdamOptions& options = {});

  std::string name() const override { return name_; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.betas[0]; }
  // Sets β1.
  void set_momentum(double beta1) override;
  std::vector<std::string> slot_names() const override {
    return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  }
  bool decouples_weight_decay() const override { return decoupled_; }
  // P = (1 − β1^t)·(√(v / (1 − β2^t)) + ε) per weight (v̂'s maximum with amsgrad; Keras's form
  // scales ε by 1/√(1 − β2^t)), so that the step is η·P⁻¹·m for the moving average m (Cohen et
  // al., "Adaptive gradient methods at the edge of stability", 2022).
  bool has_preconditioner() const override { return true; }
  void preconditioner(const ParamState<T>& state, std::span<double> out) const override;

 protected:
  // `decoupled`: weight decay as AdamW (w = w·(1 − η·λ)) instead of L2.
  BasicAdam(std::string_view name, const AdamOptions& options, bool decoupled);
  void init_state(ParamState<T>& state, std::size_t size) const override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  std::string name_;
  AdamOptions options_;
  bool decoupled_;
};

extern template class BasicAdam<float>;
extern template class BasicAdam<double>;

class Adam final : public Optimizer {
 public:
  using Options = AdamOptions;
  explicit Adam(std::vector<Variable> params, const AdamOptions& options = {});
};

}  // namespace descent
