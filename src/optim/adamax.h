// Adamax (Kingma & Ba, ICLR 2015, section 7.1): Adam with the infinity norm, as
// torch.optim.Adamax (1.13), t = the parameter's step:
//   g = g + λ·w;  m = β1·m + (1 − β1)·g;  u = max(β2·u, |g| + ε);  w = w − η/(1 − β1^t) · m / u
// Convention::keras adds ε to the denominator instead, u = max(β2·u, |g|) and
// w = w − η/(1 − β1^t) · m / (u + ε), and decays weights decoupled (w = w − η·λ·w first).
#pragma once

#include <array>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/convention.h"
#include "optim/optimizer.h"

namespace descent {

struct AdamaxOptions {
  double lr = 2e-3;                            // η
  std::array<double, 2> betas = {0.9, 0.999};  // β1, β2 in [0, 1)
  double eps = 1e-8;                           // ε >= 0
  double weight_decay = 0.0;                   // λ >= 0
  Convention convention = Convention::pytorch;
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &AdamaxOptions::lr),
                      field("betas", &AdamaxOptions::betas),
                      field("eps", &AdamaxOptions::eps),
                      field("weight_decay", &AdamaxOptions::weight_decay),
                      field("convention", &AdamaxOptions::convention),
                      nested_fields(&AdamaxOptions::clip)};
  }

  // keras.optimizers.Adamax(): η 1e-3, ε 1e-7 added to the denominator.
  static AdamaxOptions keras();
};

template <std::floating_point T>
class BasicAdamax final : public BasicOptimizer<T> {
 public:
  explicit BasicAdamax(const AdamaxOptions& options = {});

  std::string name() const override { return "adamax"; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.betas[0]; }
  // Sets β1.
  void set_momentum(double beta1) override;
  std::vector<std::string> slot_names() const override { return {"exp_avg", "exp_inf"}; }
  bool decouples_weight_decay() const override { return options_.convention == Convention::keras; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  AdamaxOptions options_;
};

extern template class BasicAdamax<float>;
extern template class BasicAdamax<double>;

class Adamax final : public Optimizer {
 public:
  using Options = AdamaxOptions;
  explicit Adamax(std::vector<Variable> params, const AdamaxOptions& options = {});
};

}  // namespace descent
