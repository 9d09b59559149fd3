#include "optim/adamw_schedule_free.h"

#include <algorithm>
#include <cmath>

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"
#include "optim/schedule_free_average.h"

namespace descent {

template <std::floating_point T>
BasicAdamWScheduleFree<T>::BasicAdamWScheduleFree(const AdamWScheduleFreeOptions& options)
    : BasicOptimizer<T>("adamw_schedule_free", options.lr, options.clip), options_(options) {
  check_unit_interval("adamw_schedule_free", "betas[0]", options.betas[0]);
  check_unit_interval("adamw_schedule_free", "betas[1]", options.betas[1]);
  check_non_negative("adamw_schedule_free", "eps", options.eps);
  check_non_negative("adamw_schedule_free", "weight_decay", options.weight_decay);
  check_schedule_free_average("adamw_schedule_free", options.warmup_steps, options.r,
                              options.weight_lr_power);
  this->mutable_scalars() = schedule_free_initial_scalars();
}

template <std::floating_point T>
nlohmann::json BasicAdamWScheduleFree<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicAdamWScheduleFree<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(3, std::vector<T>(size));
}

template <std::floating_point T>
bool BasicAdamWScheduleFree<T>::prepare_step(std::span<const ParamSlice<T>> params,
                                             std::span<ParamState<T>> states) {
  start_schedule_free_points(params, states);
  bias_correction2_ = 1 - std::pow(options_.betas[1], this->scalars()[0] + 1);
  const ScheduleFreeStep s =
      advance_schedule_free_average(this->lr(), options_.warmup_steps, options_.r,
                                    options_.weight_lr_power, this->mutable_scalars());
  lr_factor_ = s.lr_factor;
  ckp1_ = s.ckp1;
  return true;
}

template <std::floating_point T>
void BasicAdamWScheduleFree<T>::update(std::span<T> value, std::span<const T> grad,
                                       ParamState<T>& state, double lr, double weight_decay_scale) {
  const double beta1 = options_.betas[0], beta2 = options_.betas[1];
  const double step = lr * lr_factor_;
  const T neg_step = static_cast<T>(-step);
  const double weight_decay = options_.weight_decay * weight_decay_scale;  // the group's λ
  const T neg_decay = static_cast<T>(-step * weight_decay);
  const T b2 = static_cast<T>(beta2), one_minus_b2 = static_cast<T>(1 - beta2);
  const T bc2 = static_cast<T>(bias_correction2_), eps = static_cast<T>(options_.eps);
  const T keep = static_cast<T>(1 - ckp1_), c = static_cast<T>(ckp1_);
  const T b1 = static_cast<T>(beta1), one_minus_b1 = static_cast<T>(1 - beta1);
  const bool decay = weight_decay != 0;
  T* y = value.data();
  const T* g = grad.data();
  T* z = state.slots[0].data();
  T* x = state.slots[1].data();
  T* v = state.slots[2].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    if (decay) z[i] = z[i] + neg_decay * y[i];
    v[i] = v[i] * b2 + one_minus_b2 * (g[i] * g[i]);
    z[i] = z[i] + neg_step * (g[i] / (std::sqrt(v[i] / bc2) + eps));
    x[i] = x[i] * keep + c * z[i];
    y[i] = x[i] * b1 + one_minus_b1 * z[i];
  });
}

template class BasicAdamWScheduleFree<float>;
template class BasicAdamWScheduleFree<double>;

AdamWScheduleFree::AdamWScheduleFree(std::vector<Variable> params,
                                     const AdamWScheduleFreeOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicAdamWScheduleFree<float>>(options)) {}

}  // namespace descent
