// Adagrad (Duchi, Hazan & Singer, JMLR 2011) with the formulas of torch.optim.Adagrad (1.13):
//   g = g + λ·w;  η_t = η / (1 + (t − 1)·lr_decay);  s = s + g²;  w = w − η_t·g / (√s + ε)
// with s starting at initial_accumulator_value. Convention::keras puts ε inside the root,
// w = w − η_t·g / √(s + ε), and decays weights decoupled (w = w − η·λ·w first).
#pragma once

#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/convention.h"
#include "optim/optimizer.h"

namespace descent {

struct AdagradOptions {
  double lr = 1e-2;                        // η
  double lr_decay = 0.0;                   // >= 0
  double weight_decay = 0.0;               // λ >= 0
  double initial_accumulator_value = 0.0;  // >= 0
  double eps = 1e-10;                      // ε >= 0
  Convention convention = Convention::pytorch;
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{
        field("lr", &AdagradOptions::lr),
        field("lr_decay", &AdagradOptions::lr_decay),
        field("weight_decay", &AdagradOptions::weight_decay),
        field("initial_accumulator_value", &AdagradOptions::initial_accumulator_value),
        field("eps", &AdagradOptions::eps),
        field("convention", &AdagradOptions::convention),
        nested_fields(&AdagradOptions::clip)};
  }

  // keras.optimizers.Adagrad(): η 1e-3, initial accumulator 0.1, ε 1e-7 inside the root.
  static AdagradOptions keras();
};

template <std::floating_point T>
class BasicAdagrad final : public BasicOptimizer<T> {
 public:
  explicit BasicAdagrad(const AdagradOptions& options = {});

  std::string name() const override { return "adagrad"; }
  nlohmann::json config() const override;
  std::vector<std::string> slot_names() const override { return {"sum"}; }
  bool decouples_weight_decay() const override { return options_.convention == Convention::keras; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  AdagradOptions options_;
};

extern template class BasicAdagrad<float>;
extern template class BasicAdagrad<double>;

class Adagrad final : public Optimizer {
 public:
  using Options = AdagradOptions;
  explicit Adagrad(std::vector<Variable> params, const AdagradOptions& options = {});
};

}  // namespace descent
