#include "optim/adam.h"

#include <algorithm>
#include <cmath>

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

AdamOptions AdamOptions::keras() {
  return {.eps = 1e-7, .convention = Convention::keras};
}

template <std::floating_point T>
BasicAdam<T>::BasicAdam(const AdamOptions& options) : BasicAdam("adam", options, false) {}

template <std::floating_point T>
BasicAdam<T>::BasicAdam(std::string_view name, const AdamOptions& options, bool decoupled)
    : BasicOptimizer<T>(name, options.lr, options.clip),
      name_(name),
      options_(options),
      decoupled_(decoupled || options.convention == Convention::keras) {
  check_unit_interval(name, "betas[0]", options.betas[0]);
  check_unit_interval(name, "betas[1]", options.betas[1]);
  check_non_negative(name, "eps", options.eps);
  check_non_negative(name, "weight_decay", options.weight_decay);
}

template <std::floating_point T>
nlohmann::json BasicAdam<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicAdam<T>::set_momentum(double beta1) {
  check_unit_interval(name_, "betas[0]", beta1);
  options_.betas[0] = beta1;
}

template <std::floating_point T>
void BasicAdam<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.resize(3);
  state.slots[0].assign(size, T(0));
  state.slots[1].assign(size, T(0));
  if (options_.amsgrad) state.slots[2].assign(size, T(0));
}

template <std::floating_point T>
void BasicAdam<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                          double lr, double weight_decay_scale) {
  const AdamOptions& o = options_;
  const auto t = static_cast<double>(state.step);
  const double bias_correction1 = 1 - std::pow(o.betas[0], t);
  const double bias_correction2 = 1 - std::pow(o.betas[1], t);
  const bool keras = o.convention == Convention::keras;
  const bool amsgrad = o.amsgrad;
  // PyTorch: denominator √v / √bc2 + ε, step η / bc1. Keras: √v + ε, step η·√bc2 / bc1.
  const T bc2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T neg_step = static_cast<T>(keras ? -lr * std::sqrt(bias_correction2) / bias_correction1
                                          : -lr / bias_correction1);
  const T b1 = static_cast<T>(o.betas[0]), one_minus_b1 = static_cast<T>(1.0 - o.betas[0]);
  const T b2 = static_cast<T>(o.betas[1]), one_minus_b2 = static_cast<T>(1.0 - o.betas[1]);
  const T eps = static_cast<T>(o.eps);
  // λ of this parameter's group.
  const double weight_decay = o.weight_decay * weight_decay_scale;
  const T wd = static_cast<T>(weight_decay);
  const bool l2 = !decoupled_ && weight_decay != 0;
  const bool decay = decoupled_ && weight_decay != 0;
  const T keep = static_cast<T>(1.0 - lr * weight_decay);
  T* w = value.data();
  const T* g = grad.data();
  T* m = state.slots[0].data();
  T* v = state.slots[1].data();
  T* v_max = state.slots[2].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T wi = decay ? w[i] * keep : w[i];
    const T gi = l2 ? g[i] + wd * wi : g[i];
    m[i] = b1 * m[i] + one_minus_b1 * gi;
    v[i] = b2 * v[i] + one_minus_b2 * (gi * gi);
    T second = v[i];
    if (amsgrad) second = v_max[i] = std::max(v_max[i], v[i]);
    const T denom = keras ? std::sqrt(second) + eps : std::sqrt(second) / bc2_sqrt + eps;
    w[i] = wi + neg_step * (m[i] / denom);
  });
}

template <std::floating_point T>
void BasicAdam<T>::preconditioner(const ParamState<T>& state, std::span<double> out) const {
  const AdamOptions& o = options_;
  const auto t = static_cast<double>(state.step);
  const double bias_correction1 = 1 - std::pow(o.betas[0], t);
  const double bias_correction2 = 1 - std::pow(o.betas[1], t);
  const double eps =
      o.convention == Convention::keras ? o.eps / std::sqrt(bias_correction2) : o.eps;
  const std::vector<T>& second = o.amsgrad ? state.slots[2] : state.slots[1];
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = bias_correction1 * (std::sqrt(double(second[i]) / bias_correction2) + eps);
}

template class BasicAdam<float>;
template class BasicAdam<double>;

Adam::Adam(std::vector<Variable> params, const AdamOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicAdam<float>>(options)) {}

}  // namespace descent
