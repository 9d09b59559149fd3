#include "optim/dog.h"

#include <algorithm>
#include <cmath>

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

template <std::floating_point T>
BasicDoG<T>::BasicDoG(const DoGOptions& options)
    : BasicOptimizer<T>("dog", options.lr, options.clip), options_(options) {
  if (options.init_eta)
    check_positive("dog", "init_eta", *options.init_eta);
  else
    check_positive("dog", "reps_rel", options.reps_rel);
  check_non_negative("dog", "eps", options.eps);
  check_non_negative("dog", "weight_decay", options.weight_decay);
  this->mutable_scalars().assign(3, 0.0);
}

template <std::floating_point T>
nlohmann::json BasicDoG<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicDoG<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(1, std::vector<T>(size));
}

template <std::floating_point T>
bool BasicDoG<T>::prepare_step(std::span<const ParamSlice<T>> params,
                               std::span<ParamState<T>> states) {
  std::vector<double>& scalars = this->mutable_scalars();
  const bool first = scalars[kStarted] == 0;
  bool any = false;
  double x_sq = 0, grad_sq = 0;  // ‖x0‖² on the first step, ‖x − x0‖² later; ‖g‖²
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ParamSlice<T>& p = params[i];
    if (p.grad.empty()) continue;
    any = true;
    // λ of this parameter's group.
    const double weight_decay = options_.weight_decay * p.weight_decay_scale;
    const T wd = static_cast<T>(weight_decay);
    std::vector<T>& x0 = states[i].slots[0];
    // A parameter joins with its value now: it has not moved since the first step.
    if (states[i].step == 0) std::copy(p.value.begin(), p.value.end(), x0.begin());
    for (std::size_t k = 0; k < p.value.size(); ++k) {
      if (weight_decay > 0) p.grad[k] += wd * p.value[k];
      const double g = p.grad[k];
      grad_sq += g * g;
      const double x = first ? static_cast<double>(p.value[k])
                             : static_cast<double>(p.value[k]) - static_cast<double>(x0[k]);
      x_sq += x * x;
    }
  }
  if (!any) return true;
  if (first) {
    scalars[kStarted] = 1;
    scalars[kRbar] = options_.init_eta ? 0.0 : options_.reps_rel * (1 + std::sqrt(x_sq));
    scalars[kG] = grad_sq + options_.eps;
  } else {
    scalars[kRbar] = std::max(scalars[kRbar], std::sqrt(x_sq));
    scalars[kG] += grad_sq;
  }
  absolute_step_ = first && options_.init_eta;
  // G is 0 only while every gradient (and ε) is: there is no step to take then.
  step_size_ = absolute_step_    ? *options_.init_eta
               : scalars[kG] > 0 ? scalars[kRbar] / std::sqrt(scalars[kG])
                                 : 0.0;
  return true;
}

template <std::floating_point T>
void BasicDoG<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>&, double lr,
                         double) {
  const T neg_eta = static_cast<T>(absolute_step_ ? -step_size_ : -lr * step_size_);
  T* w = value.data();
  const T* g = grad.data();
  for_each_element(static_cast<std::int64_t>(value.size()),
                   [=](std::int64_t i) { w[i] += neg_eta * g[i]; });
}

template class BasicDoG<float>;
template class BasicDoG<double>;

DoG::DoG(std::vector<Variable> params, const DoGOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicDoG<float>>(options)) {}

}  // namespace descent
