#include "optim/adagrad.h"

#include <cmath>

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

AdagradOptions AdagradOptions::keras() {
  return {
      .lr = 1e-3, .initial_accumulator_value = 0.1, .eps = 1e-7, .convention = Convention::keras};
}

template <std::floating_point T>
BasicAdagrad<T>::BasicAdagrad(const AdagradOptions& options)
    : BasicOptimizer<T>("adagrad", options.lr, options.clip), options_(options) {
  check_non_negative("adagrad", "lr_decay", options.lr_decay);
  check_non_negative("adagrad", "weight_decay", options.weight_decay);
  check_non_negative("adagrad", "initial_accumulator_value", options.initial_accumulator_value);
  check_non_negative("adagrad", "eps", options.eps);
}

template <std::floating_point T>
nlohmann::json BasicAdagrad<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicAdagrad<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(1, std::vector<T>(size, static_cast<T>(options_.initial_accumulator_value)));
}

template <std::floating_point T>
void BasicAdagrad<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                             double lr, double weight_decay_scale) {
  const AdagradOptions& o = options_;
  const bool keras = o.convention == Convention::keras;
  const double clr = lr / (1 + static_cast<double>(state.step - 1) * o.lr_decay);
  const T neg_clr = static_cast<T>(-clr);
  // λ of this parameter's group.
  const double weight_decay = o.weight_decay * weight_decay_scale;
  const T wd = static_cast<T>(weight_decay);
  const bool l2 = !keras && weight_decay != 0;
  const bool decay = keras && weight_decay != 0;
  const T keep = static_cast<T>(1.0 - lr * weight_decay);
  const T eps = static_cast<T>(o.eps);
  T* w = value.data();
  const T* g = grad.data();
  T* s = state.slots[0].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T wi = decay ? w[i] * keep : w[i];
    const T gi = l2 ? g[i] + wd * wi : g[i];
    s[i] += gi * gi;
    const T denom = keras ? std::sqrt(s[i] + eps) : std::sqrt(s[i]) + eps;
    w[i] = wi + neg_clr * (gi / denom);
  });
}

template class BasicAdagrad<float>;
template class BasicAdagrad<double>;

Adagrad::Adagrad(std::vector<Variable> params, const AdagradOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicAdagrad<float>>(options)) {}

}  // namespace descent
