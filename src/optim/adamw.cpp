#include "optim/adamw.h"

namespace descent {
namespace {

AdamOptions as_adam(const AdamWOptions& o) {
  return {.lr = o.lr,
          .betas = o.betas,
          .eps = o.eps,
          .weight_decay = o.weight_decay,
          .amsgrad = o.amsgrad,
          .convention = o.convention,
          .clip = o.clip};
}

}  // namespace

AdamWOptions AdamWOptions::keras() {
  return {.eps = 1e-7, .weight_decay = 0.004, .convention = Convention::keras};
}

template <std::floating_point T>
BasicAdamW<T>::BasicAdamW(const AdamWOptions& options)
    : BasicAdam<T>("adamw", as_adam(options), true) {}

template class BasicAdamW<float>;
template class BasicAdamW<double>;

AdamW::AdamW(std::vector<Variable> params, const AdamWOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicAdamW<float>>(options)) {}

}  // namespace descent
