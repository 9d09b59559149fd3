#include "optim/adadelta.h"

#include <cmath>

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

AdadeltaOptions AdadeltaOptions::keras() {
  return {.lr = 1e-3, .rho = 0.95, .eps = 1e-7, .convention = Convention::keras};
}

template <std::floating_point T>
BasicAdadelta<T>::BasicAdadelta(const AdadeltaOptions& options)
    : BasicOptimizer<T>("adadelta", options.lr, options.clip), options_(options) {
  check_unit_interval("adadelta", "rho", options.rho);
  check_non_negative("adadelta", "eps", options.eps);
  check_non_negative("adadelta", "weight_decay", options.weight_decay);
}

template <std::floating_point T>
nlohmann::json BasicAdadelta<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicAdadelta<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(2, std::vector<T>(size, T(0)));
}

template <std::floating_point T>
void BasicAdadelta<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                              double lr, double weight_decay_scale) {
  const AdadeltaOptions& o = options_;
  const bool keras = o.convention == Convention::keras;
  const T rho = static_cast<T>(o.rho);
  const T one_minus_rho = static_cast<T>(1.0 - o.rho);
  const T eps = static_cast<T>(o.eps);
  const T neg_lr = static_cast<T>(-lr);
  // λ of this parameter's group.
  const double weight_decay = o.weight_decay * weight_decay_scale;
  const T wd = static_cast<T>(weight_decay);
  const bool l2 = !keras && weight_decay != 0;
  const bool decay = keras && weight_decay != 0;
  const T keep = static_cast<T>(1.0 - lr * weight_decay);
  T* w = value.data();
  const T* g = grad.data();
  T* s = state.slots[0].data();
  T* a = state.slots[1].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T wi = decay ? w[i] * keep : w[i];
    const T gi = l2 ? g[i] + wd * wi : g[i];
    s[i] = rho * s[i] + one_minus_rho * (gi * gi);
    const T delta = std::sqrt(a[i] + eps) / std::sqrt(s[i] + eps) * gi;
    a[i] = rho * a[i] + one_minus_rho * (delta * delta);
    w[i] = wi + neg_lr * delta;
  });
}

template class BasicAdadelta<float>;
template class BasicAdadelta<double>;

Adadelta::Adadelta(std::vector<Variable> params, const AdadeltaOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicAdadelta<float>>(options)) {}

}  // namespace descent
