#include "optim/adamax.h"

#include <algorithm>
#include <cmath>

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

AdamaxOptions AdamaxOptions::keras() {
  return {.lr = 1e-3, .eps = 1e-7, .convention = Convention::keras};
}

template <std::floating_point T>
BasicAdamax<T>::BasicAdamax(const AdamaxOptions& options)
    : BasicOptimizer<T>("adamax", options.lr, options.clip), options_(options) {
  check_unit_interval("adamax", "betas[0]", options.betas[0]);
  check_unit_interval("adamax", "betas[1]", options.betas[1]);
  check_non_negative("adamax", "eps", options.eps);
  check_non_negative("adamax", "weight_decay", options.weight_decay);
}

template <std::floating_point T>
nlohmann::json BasicAdamax<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicAdamax<T>::set_momentum(double beta1) {
  check_unit_interval("adamax", "betas[0]", beta1);
  options_.betas[0] = beta1;
}

template <std::floating_point T>
void BasicAdamax<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(2, std::vector<T>(size, T(0)));
}

template <std::floating_point T>
void BasicAdamax<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                            double lr, double weight_decay_scale) {
  const AdamaxOptions& o = options_;
  const bool keras = o.convention == Convention::keras;
  const double bias_correction = 1 - std::pow(o.betas[0], static_cast<double>(state.step));
  const T neg_clr = static_cast<T>(-lr / bias_correction);
  const T b1 = static_cast<T>(o.betas[0]), one_minus_b1 = static_cast<T>(1.0 - o.betas[0]);
  const T b2 = static_cast<T>(o.betas[1]);
  const T eps = static_cast<T>(o.eps);
  // λ of this parameter's group.
  const double weight_decay = o.weight_decay * weight_decay_scale;
  const T wd = static_cast<T>(weight_decay);
  const bool l2 = !keras && weight_decay != 0;
  const bool decay = keras && weight_decay != 0;
  const T keep = static_cast<T>(1.0 - lr * weight_decay);
  T* w = value.data();
  const T* g = grad.data();
  T* m = state.slots[0].data();
  T* u = state.slots[1].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T wi = decay ? w[i] * keep : w[i];
    const T gi = l2 ? g[i] + wd * wi : g[i];
    m[i] = b1 * m[i] + one_minus_b1 * gi;
    if (keras) {
      u[i] = std::max(b2 * u[i], std::abs(gi));
      w[i] = wi + neg_clr * (m[i] / (u[i] + eps));
    } else {
      u[i] = std::max(b2 * u[i], std::abs(gi) + eps);
      w[i] = wi + neg_clr * (m[i] / u[i]);
    }
  });
}

template class BasicAdamax<float>;
template class BasicAdamax<double>;

Adamax::Adamax(std::vector<Variable> params, const AdamaxOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicAdamax<float>>(options)) {}

}  // namespace descent
