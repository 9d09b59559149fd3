#include "optim/dadapt_sgd.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

template <std::floating_point T>
BasicDAdaptSGD<T>::BasicDAdaptSGD(const DAdaptSGDOptions& options)
    : BasicOptimizer<T>("dadapt_sgd", options.lr, options.clip), options_(options) {
  check_unit_interval("dadapt_sgd", "momentum", options.momentum);
  check_non_negative("dadapt_sgd", "weight_decay", options.weight_decay);
  check_positive("dadapt_sgd", "d0", options.d0);
  if (options.growth_rate && !(*options.growth_rate >= 1))
    throw InvalidArgument(
        fmt::format("dadapt_sgd: growth_rate must be >= 1, got {}", *options.growth_rate));
  this->mutable_scalars() = {options.d0, 0.0, 0.0, 0.0};
}

template <std::floating_point T>
nlohmann::json BasicDAdaptSGD<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicDAdaptSGD<T>::set_momentum(double momentum) {
  check_unit_interval("dadapt_sgd", "momentum", momentum);
  options_.momentum = momentum;
}

template <std::floating_point T>
void BasicDAdaptSGD<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(2, std::vector<T>(size));
}

template <std::floating_point T>
bool BasicDAdaptSGD<T>::prepare_step(std::span<const ParamSlice<T>> params,
                                     std::span<ParamState<T>> states) {
  std::vector<double>& scalars = this->mutable_scalars();
  if (scalars[kK] == 0) {
    double g_sq = 0;
    for (const ParamSlice<T>& p : params)
      for (T g : p.grad)
        g_sq += static_cast<double>(g) * static_cast<double>(g);
    scalars[kG0Norm] = std::sqrt(g_sq);
  }
  // All first gradients 0 (the reference divides by 0): wait for a gradient to scale by.
  if (scalars[kG0Norm] == 0) return false;
  const double d = scalars[kD];
  double numerator = 0, s_sq = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ParamSlice<T>& p = params[i];
    if (p.grad.empty()) continue;
    std::vector<std::vector<T>>& slots = states[i].slots;
    // A parameter joins with its value now: it has not moved since the first step.
    if (states[i].step == 0) std::copy(p.value.begin(), p.value.end(), slots[1].begin());
    const double dlr = d * (this->lr() * p.lr_scale) / scalars[kG0Norm];
    const double weight_decay = options_.weight_decay * p.weight_decay_scale;  // the group's λ
    const T wd = static_cast<T>(weight_decay);
    const T step = static_cast<T>(dlr);
    T* g = p.grad.data();
    T* s = slots[0].data();
    double dot = 0;
    for (std::size_t j = 0; j < p.value.size(); ++j) {
      if (weight_decay != 0) g[j] += wd * p.value[j];
      dot += static_cast<double>(g[j]) * static_cast<double>(s[j]);
      s[j] += step * g[j];
      s_sq += static_cast<double>(s[j]) * static_cast<double>(s[j]);
    }
    numerator += dlr * dot;
  }
  // No gradient has moved s yet: the reference returns before the update.
  if (s_sq == 0) return false;
  const double total_numerator = scalars[kNumerator] + numerator;
  const double d_hat = 2 * total_numerator / std::sqrt(s_sq);
  const double grown = options_.growth_rate ? std::min(d_hat, d * *options_.growth_rate) : d_hat;
  scalars[kD] = std::max(d, grown);
  scalars[kNumerator] = total_numerator;
  scalars[kK] += 1;
  return true;
}

template <std::floating_point T>
void BasicDAdaptSGD<T>::update(std::span<T> value, std::span<const T>, ParamState<T>& state, double,
                               double) {
  // The reference's ck = 1 − μ and 1 − ck, which need not round back to μ.
  const double ck = 1 - options_.momentum;
  const T keep = static_cast<T>(1 - ck);
  const T ck_t = static_cast<T>(ck);
  T* w = value.data();
  const T* s = state.slots[0].data();
  const T* x0 = state.slots[1].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T z = x0[i] - s[i];
    w[i] = w[i] * keep + ck_t * z;
  });
}

template class BasicDAdaptSGD<float>;
template class BasicDAdaptSGD<double>;

DAdaptSGD::DAdaptSGD(std::vector<Variable> params, const DAdaptSGDOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicDAdaptSGD<float>>(options)) {}

}  // namespace descent
