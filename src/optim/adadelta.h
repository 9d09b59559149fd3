// Adadelta (Zeiler, arXiv:1212.5701) with the formulas of torch.optim.Adadelta (1.13):
//   g = g + λ·w;  s = ρ·s + (1 − ρ)·g²;  Δ = √(a + ε) / √(s + ε) · g;
//   a = ρ·a + (1 − ρ)·Δ²;  w = w − η·Δ
// Keras uses the same rule; Convention::keras only decays weights decoupled (w = w − η·λ·w
// first). Keras's defaults differ (AdadeltaOptions::keras()).
#pragma once

#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/convention.h"
#include "optim/optimizer.h"

namespace descent {

struct AdadeltaOptions {
  double lr = 1.0;            // η (PyTorch's default; the rule is nearly scale-free)
  double rho = 0.9;           // ρ in [0, 1)
  double eps = 1e-6;          // ε >= 0
  double weight_decay = 0.0;  // λ >= 0
  Convention convention = Convention::pytorch;
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &AdadeltaOptions::lr),
                      field("rho", &AdadeltaOptions::rho),
                      field("eps", &AdadeltaOptions::eps),
                      field("weight_decay", &AdadeltaOptions::weight_decay),
                      field("convention", &AdadeltaOptions::convention),
                      nested_fields(&AdadeltaOptions::clip)};
  }

  // keras.optimizers.Adadelta(): η 1e-3, ρ 0.95, ε 1e-7.
  static AdadeltaOptions keras();
};

template <std::floating_point T>
class BasicAdadelta final : public BasicOptimizer<T> {
 public:
  explicit BasicAdadelta(const AdadeltaOptions& options = {});

  std::string name() const override { return "adadelta"; }
  nlohmann::json config() const override;
  std::vector<std::string> slot_names() const override { return {"square_avg", "acc_delta"}; }
  bool decouples_weight_decay() const override { return options_.convention == Convention::keras; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  AdadeltaOptions options_;
};

extern template class BasicAdadelta<float>;
extern template class BasicAdadelta<double>;

class Adadelta final : public Optimizer {
 public:
  using Options = AdadeltaOptions;
  explicit Adadelta(std::vector<Variable> params, const AdadeltaOptions& options = {});
};

}  // namespace descent
