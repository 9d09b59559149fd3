#include "optim/prodigy.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

template <std::floating_point T>
BasicProdigy<T>::BasicProdigy(const ProdigyOptions& options)
    : BasicOptimizer<T>("prodigy", options.lr, options.clip), options_(options) {
  check_unit_interval("prodigy", "betas[0]", options.betas[0]);
  check_unit_interval("prodigy", "betas[1]", options.betas[1]);
  if (options.beta3) check_unit_interval("prodigy", "beta3", *options.beta3);
  check_positive("prodigy", "eps", options.eps);
  check_non_negative("prodigy", "weight_decay", options.weight_decay);
  check_positive("prodigy", "d0", options.d0);
  check_positive("prodigy", "d_coef", options.d_coef);
  if (options.growth_rate && !(*options.growth_rate >= 1))
    throw InvalidArgument(
        fmt::format("prodigy: growth_rate must be >= 1, got {}", *options.growth_rate));
  this->mutable_scalars() = {options.d0, options.d0, 0.0, 0.0};
}

template <std::floating_point T>
nlohmann::json BasicProdigy<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicProdigy<T>::set_momentum(double beta1) {
  check_unit_interval("prodigy", "betas[0]", beta1);
  options_.betas[0] = beta1;
}

template <std::floating_point T>
void BasicProdigy<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(4, std::vector<T>(size));
}

template <std::floating_point T>
bool BasicProdigy<T>::prepare_step(std::span<const ParamSlice<T>> params,
                                   std::span<ParamState<T>> states) {
  const ProdigyOptions& o = options_;
  std::vector<double>& scalars = this->mutable_scalars();
  const double beta1 = o.betas[0], beta2 = o.betas[1];
  const double beta3 = o.beta3 ? *o.beta3 : std::sqrt(beta2);
  const double d = scalars[kD];
  const double k = scalars[kK];
  const double bc = o.use_bias_correction
                        ? std::sqrt(1 - std::pow(beta2, k + 1)) / (1 - std::pow(beta1, k + 1))
                        : 1.0;
  const double lr = this->lr();
  const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2), b3 = static_cast<T>(beta3);
  const T m_scale = static_cast<T>(d * (1 - beta1));
  const T v_scale = static_cast<T>(d * d * (1 - beta2));
  double numerator = 0, denominator = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ParamSlice<T>& p = params[i];
    if (p.grad.empty()) continue;
    std::vector<std::vector<T>>& slots = states[i].slots;
    // A parameter joins with its value now: it has not moved since the first step.
    if (states[i].step == 0) std::copy(p.value.begin(), p.value.end(), slots[3].begin());
    const double dlr = d * (lr * p.lr_scale) * bc;
    const double weight_decay = o.weight_decay * p.weight_decay_scale;  // the group's λ
    const T wd = static_cast<T>(weight_decay);
    const bool l2 = weight_decay != 0 && !o.decouple;
    const T s_scale = static_cast<T>((d / o.d0) * (o.safeguard_warmup ? d : dlr));
    T* x = p.value.data();
    T* g = p.grad.data();
    T* m = slots[0].data();
    T* v = slots[1].data();
    T* s = slots[2].data();
    const T* x0 = slots[3].data();
    double dot = 0, s_sum = 0;
    for (std::size_t j = 0; j < p.value.size(); ++j) {
      if (l2) g[j] += wd * x[j];
      dot += static_cast<double>(g[j]) * static_cast<double>(x0[j] - x[j]);
      if (beta1 > 0) m[j] = b1 * m[j] + m_scale * g[j];
      v[j] = b2 * v[j] + v_scale * (g[j] * g[j]);
      s[j] = b3 * s[j] + s_scale * g[j];
      s_sum += std::abs(static_cast<double>(s[j]));
    }
    numerator += (d / o.d0) * dlr * dot;
    denominator += s_sum;
  }
  // No gradient has moved s yet: the reference returns before the update.
  if (denominator == 0) return false;
  const double total_numerator = scalars[kNumerator] * beta3 + numerator;
  const double d_hat = o.d_coef * total_numerator / denominator;
  double new_d = d;
  if (d == o.d0) new_d = std::max(d, d_hat);
  scalars[kDMax] = std::max(scalars[kDMax], d_hat);
  // An unbounded growth rate (the reference's inf) lets d reach d_max at once.
  new_d = o.growth_rate ? std::min(scalars[kDMax], new_d * *o.growth_rate) : scalars[kDMax];
  scalars[kD] = new_d;
  scalars[kNumerator] = total_numerator;
  scalars[kK] = k + 1;
  d_before_ = d;
  bias_correction_ = bc;
  return true;
}

template <std::floating_point T>
void BasicProdigy<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                             double lr, double weight_decay_scale) {
  const ProdigyOptions& o = options_;
  const double d = this->scalars()[kD];
  const double dlr = d_before_ * lr * bias_correction_;
  const double weight_decay = o.weight_decay * weight_decay_scale;  // the group's λ
  const bool decay = weight_decay != 0 && o.decouple;
  const bool momentum = o.betas[0] > 0;
  const T neg_decay = static_cast<T>(-weight_decay * dlr);
  const T d_eps = static_cast<T>(d * o.eps);
  const T neg_step = static_cast<T>(momentum ? -dlr : -dlr * d);
  T* w = value.data();
  const T* g = grad.data();
  const T* m = state.slots[0].data();
  const T* v = state.slots[1].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T wi = decay ? w[i] + neg_decay * w[i] : w[i];
    const T denom = std::sqrt(v[i]) + d_eps;
    w[i] = wi + neg_step * ((momentum ? m[i] : g[i]) / denom);
  });
}

template class BasicProdigy<float>;
template class BasicProdigy<double>;

Prodigy::Prodigy(std::vector<Variable> params, const ProdigyOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicProdigy<float>>(options)) {}

}  // namespace descent
