#include "optim/dadapt_adam.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

template <std::floating_point T>
BasicDAdaptAdam<T>::BasicDAdaptAdam(const DAdaptAdamOptions& options)
    : BasicOptimizer<T>("dadapt_adam", options.lr, options.clip), options_(options) {
  check_unit_interval("dadapt_adam", "betas[0]", options.betas[0]);
  check_unit_interval("dadapt_adam", "betas[1]", options.betas[1]);
  check_positive("dadapt_adam", "eps", options.eps);
  check_non_negative("dadapt_adam", "weight_decay", options.weight_decay);
  check_positive("dadapt_adam", "d0", options.d0);
  if (options.growth_rate && !(*options.growth_rate >= 1))
    throw InvalidArgument(
        fmt::format("dadapt_adam: growth_rate must be >= 1, got {}", *options.growth_rate));
  this->mutable_scalars() = {options.d0, 0.0, 0.0};
}

template <std::floating_point T>
nlohmann::json BasicDAdaptAdam<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicDAdaptAdam<T>::set_momentum(double beta1) {
  check_unit_interval("dadapt_adam", "betas[0]", beta1);
  options_.betas[0] = beta1;
}

template <std::floating_point T>
void BasicDAdaptAdam<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(3, std::vector<T>(size));
}

template <std::floating_point T>
bool BasicDAdaptAdam<T>::prepare_step(std::span<const ParamSlice<T>> params,
                                      std::span<ParamState<T>> states) {
  const DAdaptAdamOptions& o = options_;
  std::vector<double>& scalars = this->mutable_scalars();
  const double beta1 = o.betas[0], beta2 = o.betas[1];
  const double sqrt_beta2 = std::sqrt(beta2);
  const double d = scalars[kD];
  const double k = scalars[kK];
  const double bc = o.use_bias_correction
                        ? std::sqrt(1 - std::pow(beta2, k + 1)) / (1 - std::pow(beta1, k + 1))
                        : 1.0;
  const double dlr = d * this->lr() * bc;
  const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2);
  const T one_minus_b2 = static_cast<T>(1 - beta2), sb2 = static_cast<T>(sqrt_beta2);
  const T s_scale = static_cast<T>(dlr * (1 - sqrt_beta2));
  const T eps = static_cast<T>(o.eps);
  double numerator = 0, s_l1 = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ParamSlice<T>& p = params[i];
    if (p.grad.empty()) continue;
    const double layer_scale = p.lr_scale;
    const double weight_decay = o.weight_decay * p.weight_decay_scale;  // the group's λ
    const T wd = static_cast<T>(weight_decay);
    const bool l2 = weight_decay != 0 && !o.decouple;
    const T m_scale = static_cast<T>(layer_scale * dlr * (1 - beta1));
    T* x = p.value.data();
    T* g = p.grad.data();
    T* m = states[i].slots[0].data();
    T* v = states[i].slots[1].data();
    T* s = states[i].slots[2].data();
    double dot = 0, l1 = 0;
    for (std::size_t j = 0; j < p.value.size(); ++j) {
      if (l2) g[j] += wd * x[j];
      dot += static_cast<double>(g[j]) * static_cast<double>(s[j] / (std::sqrt(v[j]) + eps));
      m[j] = b1 * m[j] + m_scale * g[j];
      v[j] = b2 * v[j] + one_minus_b2 * (g[j] * g[j]);
      s[j] = sb2 * s[j] + s_scale * g[j];
      l1 += std::abs(static_cast<double>(s[j]));
    }
    numerator += layer_scale * dlr * dot;
    s_l1 += layer_scale * l1;
  }
  // No gradient has moved s yet: the reference returns before the update.
  if (s_l1 == 0) return false;
  const double total_numerator = sqrt_beta2 * scalars[kNumerator] + (1 - sqrt_beta2) * numerator;
  const double d_hat = total_numerator / ((1 - sqrt_beta2) * s_l1);
  const double grown = o.growth_rate ? std::min(d_hat, d * *o.growth_rate) : d_hat;
  scalars[kD] = std::max(d, grown);
  scalars[kNumerator] = total_numerator;
  scalars[kK] = k + 1;
  dlr_ = dlr;
  return true;
}

template <std::floating_point T>
void BasicDAdaptAdam<T>::update(std::span<T> value, std::span<const T>, ParamState<T>& state,
                                double, double weight_decay_scale) {
  const double weight_decay = options_.weight_decay * weight_decay_scale;  // the group's λ
  const bool decay = weight_decay != 0 && options_.decouple;
  const T neg_decay = static_cast<T>(-weight_decay * dlr_);
  const T eps = static_cast<T>(options_.eps);
  T* w = value.data();
  const T* m = state.slots[0].data();
  const T* v = state.slots[1].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T wi = decay ? w[i] + neg_decay * w[i] : w[i];
    w[i] = wi - m[i] / (std::sqrt(v[i]) + eps);
  });
}

template class BasicDAdaptAdam<float>;
template class BasicDAdaptAdam<double>;

DAdaptAdam::DAdaptAdam(std::vector<Variable> params, const DAdaptAdamOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicDAdaptAdam<float>>(options)) {}

}  // namespace descent
