// AdamW (Loshchilov & Hutter, ICLR 2019): Adam with decoupled weight decay, as
// torch.optim.AdamW (1.13): w = w·(1 − η·λ), then the Adam update of BasicAdam (same rule, same
// code). Convention::keras selects the ε-hat form as for Adam.
#pragma once

#include <array>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/adam.h"
#include "optim/optimizer.h"

namespace descent {

struct AdamWOptions {
  double lr = 1e-3;                            // η
  std::array<double, 2> betas = {0.9, 0.999};  // β1, β2 in [0, 1)
  double eps = 1e-8;                           // ε >= 0
  double weight_decay = 1e-2;                  // λ >= 0, decoupled
  bool amsgrad = false;
  Convention convention = Convention::pytorch;
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &AdamWOptions::lr),
                      field("betas", &AdamWOptions::betas),
                      field("eps", &AdamWOptions::eps),
                      field("weight_decay", &AdamWOptions::weight_decay),
                      field("amsgrad", &AdamWOptions::amsgrad),
                      field("convention", &AdamWOptions::convention),
                      nested_fields(&AdamWOptions::clip)};
  }

  // keras.optimizers.AdamW(): λ 0.004, ε 1e-7 in the ε-hat form.
  static AdamWOptions keras();
};

template <std::floating_point T>
class BasicAdamW final : public BasicAdam<T> {
 public:
  explicit BasicAdamW(const AdamWOptions& options = {});
};

extern template class BasicAdamW<float>;
extern template class BasicAdamW<double>;

class AdamW final : public Optimizer {
 public:
  using Options = AdamWOptions;
  explicit AdamW(std::vector<Variable> params, const AdamWOptions& options = {});
};

}  // namespace descent
