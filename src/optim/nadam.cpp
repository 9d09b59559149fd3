#include "optim/nadam.h"

#include <cmath>

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

NAdamOptions NAdamOptions::keras() {
  return {.lr = 1e-3, .eps = 1e-7, .momentum_decay = 1.0, .convention = Convention::keras};
}

template <std::floating_point T>
BasicNAdam<T>::BasicNAdam(const NAdamOptions& options)
    : BasicOptimizer<T>("nadam", options.lr, options.clip), options_(options) {
  check_unit_interval("nadam", "betas[0]", options.betas[0]);
  check_unit_interval("nadam", "betas[1]", options.betas[1]);
  check_non_negative("nadam", "eps", options.eps);
  check_non_negative("nadam", "weight_decay", options.weight_decay);
  check_non_negative("nadam", "momentum_decay", options.momentum_decay);
}

template <std::floating_point T>
nlohmann::json BasicNAdam<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicNAdam<T>::set_momentum(double beta1) {
  check_unit_interval("nadam", "betas[0]", beta1);
  options_.betas[0] = beta1;
}

template <std::floating_point T>
void BasicNAdam<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(2, std::vector<T>(size, T(0)));
  state.scalars.assign(1, 1.0);
}

template <std::floating_point T>
void BasicNAdam<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                           double lr, double weight_decay_scale) {
  const NAdamOptions& o = options_;
  const auto t = static_cast<double>(state.step);
  const double beta1 = o.betas[0], beta2 = o.betas[1];
  const double bias_correction2 = 1 - std::pow(beta2, t);
  const double mu = beta1 * (1 - 0.5 * std::pow(0.96, t * o.momentum_decay));
  const double mu_next = beta1 * (1 - 0.5 * std::pow(0.96, (t + 1) * o.momentum_decay));
  double& mu_product = state.scalars[0];
  mu_product *= mu;
  const double mu_product_next = mu_product * mu_next;
  const T grad_step = static_cast<T>(-lr * (1 - mu) / (1 - mu_product));
  const T momentum_step = static_cast<T>(-lr * mu_next / (1 - mu_product_next));
  const T bc2 = static_cast<T>(bias_correction2);
  const bool keras = o.convention == Convention::keras;
  const T b1 = static_cast<T>(beta1), one_minus_b1 = static_cast<T>(1.0 - beta1);
  const T b2 = static_cast<T>(beta2), one_minus_b2 = static_cast<T>(1.0 - beta2);
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
  T* v = state.slots[1].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T wi = decay ? w[i] * keep : w[i];
    const T gi = l2 ? g[i] + wd * wi : g[i];
    m[i] = b1 * m[i] + one_minus_b1 * gi;
    v[i] = b2 * v[i] + one_minus_b2 * (gi * gi);
    const T denom = std::sqrt(v[i] / bc2) + eps;
    w[i] = wi + grad_step * (gi / denom) + momentum_step * (m[i] / denom);
  });
}

template class BasicNAdam<float>;
template class BasicNAdam<double>;

NAdam::NAdam(std::vector<Variable> params, const NAdamOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicNAdam<float>>(options)) {}

}  // namespace descent
