// Lion, "EvoLved Sign Momentum" (Chen et al., "Symbolic Discovery of Optimization Algorithms",
// NeurIPS 2023, Program 1):
//   c = β1·m + (1 − β1)·g;  w = w − η·(sign(c) + λ·w);  m = β2·m + (1 − β2)·g
// (sign(0) = 0). The weight decay is decoupled, as in the paper and Keras's Lion, whose rule is
// the same; only its default η differs (LionOptions::keras()). PyTorch 1.13 has no Lion.
#pragma once

#include <array>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/optimizer.h"

namespace descent {

struct LionOptions {
  double lr = 1e-4;                           // η; the paper suggests 3-10x below AdamW's
  std::array<double, 2> betas = {0.9, 0.99};  // β1, β2 in [0, 1)
  double weight_decay = 0.0;                  // λ >= 0, decoupled
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &LionOptions::lr), field("betas", &LionOptions::betas),
                      field("weight_decay", &LionOptions::weight_decay),
                      nested_fields(&LionOptions::clip)};
  }

  // keras.optimizers.Lion(): η 1e-3.
  static LionOptions keras();
};

template <std::floating_point T>
class BasicLion final : public BasicOptimizer<T> {
 public:
  explicit BasicLion(const LionOptions& options = {});

  std::string name() const override { return "lion"; }
  nlohmann::json config() const override;
  std::optional<double> momentum() const override { return options_.betas[0]; }
  // Sets β1.
  void set_momentum(double beta1) override;
  std::vector<std::string> slot_names() const override { return {"exp_avg"}; }
  bool decouples_weight_decay() const override { return true; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  LionOptions options_;
};

extern template class BasicLion<float>;
extern template class BasicLion<double>;

class Lion final : public Optimizer {
 public:
  using Options = LionOptions;
  explicit Lion(std::vector<Variable> params, const LionOptions& options = {});
};

}  // namespace descent
