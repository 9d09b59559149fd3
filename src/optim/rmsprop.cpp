#include "optim/rmsprop.h"

#include <cmath>

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

RMSpropOptions RMSpropOptions::keras() {
  return {.lr = 1e-3, .alpha = 0.9, .eps = 1e-7, .convention = Convention::keras};
}

template <std::floating_point T>
BasicRMSprop<T>::BasicRMSprop(const RMSpropOptions& options)
    : BasicOptimizer<T>("rmsprop", options.lr, options.clip), options_(options) {
  check_unit_interval("rmsprop", "alpha", options.alpha);
  check_non_negative("rmsprop", "eps", options.eps);
  check_non_negative("rmsprop", "weight_decay", options.weight_decay);
  check_non_negative("rmsprop", "momentum", options.momentum);
}

template <std::floating_point T>
nlohmann::json BasicRMSprop<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicRMSprop<T>::set_momentum(double momentum) {
  check_non_negative("rmsprop", "momentum", momentum);
  options_.momentum = momentum;
}

template <std::floating_point T>
void BasicRMSprop<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.resize(3);
  state.slots[0].assign(size, T(0));
  if (options_.centered) state.slots[1].assign(size, T(0));
  // The momentum buffer appears with the first step that uses momentum.
}

template <std::floating_point T>
void BasicRMSprop<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                             double lr, double weight_decay_scale) {
  const RMSpropOptions& o = options_;
  const bool keras = o.convention == Convention::keras;
  const bool centered = o.centered;
  const bool use_momentum = o.momentum > 0;
  if (use_momentum && state.slots[2].empty()) state.slots[2].assign(value.size(), T(0));
  const T alpha = static_cast<T>(o.alpha);
  const T one_minus_alpha = static_cast<T>(1.0 - o.alpha);
  const T eps = static_cast<T>(o.eps);
  const T mu = static_cast<T>(o.momentum);
  const T lr_t = static_cast<T>(lr);
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
  T* ga = state.slots[1].data();
  T* b = state.slots[2].data();
  // Keras keeps ε inside the root and η inside the momentum buffer; PyTorch outside both.
  const T eps_inside = keras ? eps : T(0), eps_outside = keras ? T(0) : eps;
  const T lr_inside = keras ? lr_t : T(1), neg_lr_outside = keras ? T(-1) : neg_lr;
  // The ratio g / (root of the second moment), scaled by η in the Keras form.
  auto scaled = [=](std::int64_t i, T wi) {
    const T gi = l2 ? g[i] + wd * wi : g[i];
    s[i] = alpha * s[i] + one_minus_alpha * (gi * gi);
    T var = s[i];
    if (centered) {
      ga[i] = alpha * ga[i] + one_minus_alpha * gi;
      var = s[i] - ga[i] * ga[i];
    }
    return lr_inside * gi / (std::sqrt(var + eps_inside) + eps_outside);
  };
  const auto n = static_cast<std::int64_t>(value.size());
  if (use_momentum) {
    for_each_element(n, [=](std::int64_t i) {
      const T wi = decay ? w[i] * keep : w[i];
      b[i] = mu * b[i] + scaled(i, wi);
      w[i] = wi + neg_lr_outside * b[i];
    });
  } else {
    for_each_element(n, [=](std::int64_t i) {
      const T wi = decay ? w[i] * keep : w[i];
      w[i] = wi + neg_lr_outside * scaled(i, wi);
    });
  }
}

template class BasicRMSprop<float>;
template class BasicRMSprop<double>;

RMSprop::RMSprop(std::vector<Variable> params, const RMSpropOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicRMSprop<float>>(options)) {}

}  // namespace descent
