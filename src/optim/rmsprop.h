// RMSprop (Hinton, Coursera lecture 6e, 2012; centered form: Graves, arXiv:1308.0850) with the
// formulas of torch.optim.RMSprop (1.13):
//   g = g + λ·w;  s = α·s + (1 − α)·g²
//   centered: ḡ = α·ḡ + (1 − α)·g;  d = √(s − ḡ²) + ε,   otherwise d = √s + ε
//   momentum μ > 0: b = μ·b + g / d;  w = w − η·b,        otherwise w = w − η·g / d
// Convention::keras puts ε inside the root (d = √(s − ḡ² + ε)), keeps η inside the momentum
// buffer (b = μ·b + η·g / d; w = w − b) and decays weights decoupled (w = w − η·λ·w first).
#pragma once

#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/convention.h"
#include "optim/optimizer.h"

namespace descent {

struct RMSpropOptions {
  double lr = 1e-2;           // η
  double alpha = 0.99;        // α in [0, 1) (Keras calls it rho)
  double eps = 1e-8;          // ε >= 0
  double weight_decay = 0.0;  // λ >= 0
  double momentum = 0.0;      // μ >= 0
  bool centered = false;
  Convention convention = Convention::pytorch;
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &RMSpropOptions::lr),
                      field("alpha", &RMSpropOptions::alpha),
                      field("eps", &RMSpropOptions::eps),
                      field("weight_decay", &RMSpropOptions::weight_decay),
                      field("momentum", &RMSpropOptions::momentum),
                      field("centered", &RMSpropOptions::centered),
                      field("convention", &RMSpropOptions::convention),
                      nested_fields(&RMSpropOptions::clip)};
  }

  // keras.optimizers.RMSprop(): η 1e-3, ρ 0.9, ε 1e-7 inside the root.
  static RMSpropOptions keras();
};

template <std::floating_point T>
class BasicRMSprop final : public BasicOptimizer<T> {
 public:
  explicit BasicRMSprop(const RMSpropOptions& options = {});

  std::string name() const override { return "rmsprop"; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.momentum; }
  void set_momentum(double momentum) override;
  std::vector<std::string> slot_names() const override {
    return {"square_avg", "grad_avg", "momentum_buffer"};
  }
  bool decouples_weight_decay() const override { return options_.convention == Convention::keras; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  RMSpropOptions options_;
};

extern template class BasicRMSprop<float>;
extern template class BasicRMSprop<double>;

class RMSprop final : public Optimizer {
 public:
  using Options = RMSpropOptions;
  explicit RMSprop(std::vector<Variable> params, const RMSpropOptions& options = {});
};

}  // namespace descent
