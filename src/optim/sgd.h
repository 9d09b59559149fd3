// SGD: stochastic gradient descent with optional momentum (Polyak heavy ball or Nesterov),
// dampening and weight decay; the formulas of torch.optim.SGD (1.13):
//   d = g + λ·w                                     (weight_decay λ, L2 form)
//   b = d on the first step, else b = μ·b + (1 − τ)·d   (momentum μ, dampening τ)
//   d = d + μ·b (nesterov) or d = b (momentum > 0)
//   w = w − η·d
// Convention::keras keeps η inside the velocity (v = μ·v − η·g; w = w + v, or
// w = w + μ·v − η·g with nesterov), has no dampening, and decays weights decoupled
// (w = w − η·λ·w before the update). Nesterov: Sutskever et al., ICML 2013.
#pragma once

#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/convention.h"
#include "optim/optimizer.h"

namespace descent {

// Fields in declaration order, for designated initializers: SGD(params, {.lr = 0.1, .momentum =
// 0.9}).
struct SGDOptions {
  double lr = 0.01;           // η; PyTorch has no default, 0.01 is Keras's
  double momentum = 0.0;      // μ >= 0
  double dampening = 0.0;     // τ in [0, 1); 0 with nesterov or Convention::keras
  double weight_decay = 0.0;  // λ >= 0
  bool nesterov = false;      // needs momentum > 0 and dampening 0
  Convention convention = Convention::pytorch;
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &SGDOptions::lr),
                      field("momentum", &SGDOptions::momentum),
                      field("dampening", &SGDOptions::dampening),
                      field("weight_decay", &SGDOptions::weight_decay),
                      field("nesterov", &SGDOptions::nesterov),
                      field("convention", &SGDOptions::convention),
                      nested_fields(&SGDOptions::clip)};
  }

  // Keras's defaults and formulas: keras.optimizers.SGD().
  static SGDOptions keras();
};

template <std::floating_point T>
class BasicSGD final : public BasicOptimizer<T> {
 public:
  explicit BasicSGD(const SGDOptions& options = {});

  std::string name() const override { return "sgd"; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.momentum; }
  void set_momentum(double momentum) override;
  std::vector<std::string> slot_names() const override { return {"momentum_buffer"}; }
  bool decouples_weight_decay() const override { return options_.convention == Convention::keras; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  SGDOptions options_;
};

extern template class BasicSGD<float>;
extern template class BasicSGD<double>;

class SGD final : public Optimizer {
 public:
  using Options = SGDOptions;
  explicit SGD(std::vector<Variable> params, const SGDOptions& options = {});
};

}  // namespace descent
