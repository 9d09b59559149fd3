#include "optim/sgd_schedule_free.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"
#include "optim/schedule_free_average.h"

namespace descent {

template <std::floating_point T>
BasicSGDScheduleFree<T>::BasicSGDScheduleFree(const SGDScheduleFreeOptions& options)
    : BasicOptimizer<T>("sgd_schedule_free", options.lr, options.clip), options_(options) {
  // The reference refuses β = 0 (its eval() divides by β) as well as 1.
  if (!(options.momentum > 0 && options.momentum < 1))
    throw InvalidArgument(
        fmt::format("sgd_schedule_free: momentum must be in (0, 1), got {}", options.momentum));
  check_non_negative("sgd_schedule_free", "weight_decay", options.weight_decay);
  check_schedule_free_average("sgd_schedule_free", options.warmup_steps, options.r,
                              options.weight_lr_power);
  this->mutable_scalars() = schedule_free_initial_scalars();
}

template <std::floating_point T>
nlohmann::json BasicSGDScheduleFree<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicSGDScheduleFree<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(2, std::vector<T>(size));
}

template <std::floating_point T>
bool BasicSGDScheduleFree<T>::prepare_step(std::span<const ParamSlice<T>> params,
                                           std::span<ParamState<T>> states) {
  start_schedule_free_points(params, states);
  const ScheduleFreeStep s =
      advance_schedule_free_average(this->lr(), options_.warmup_steps, options_.r,
                                    options_.weight_lr_power, this->mutable_scalars());
  lr_factor_ = s.lr_factor;
  ckp1_ = s.ckp1;
  return true;
}

template <std::floating_point T>
void BasicSGDScheduleFree<T>::update(std::span<T> value, std::span<const T> grad,
                                     ParamState<T>& state, double lr, double weight_decay_scale) {
  const double beta = options_.momentum;
  const T step = static_cast<T>(lr * lr_factor_);
  const double weight_decay = options_.weight_decay * weight_decay_scale;  // the group's λ
  const T wd = static_cast<T>(weight_decay);
  const T keep = static_cast<T>(1 - ckp1_), c = static_cast<T>(ckp1_);
  const T b = static_cast<T>(beta), one_minus_b = static_cast<T>(1 - beta);
  const bool decay = weight_decay != 0;
  T* y = value.data();
  const T* g = grad.data();
  T* z = state.slots[0].data();
  T* x = state.slots[1].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T gi = decay ? g[i] + wd * y[i] : g[i];
    z[i] = z[i] - step * gi;
    x[i] = x[i] * keep + c * z[i];
    y[i] = x[i] * b + one_minus_b * z[i];
  });
}

template class BasicSGDScheduleFree<float>;
template class BasicSGDScheduleFree<double>;

SGDScheduleFree::SGDScheduleFree(std::vector<Variable> params,
                                 const SGDScheduleFreeOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicSGDScheduleFree<float>>(options)) {}

}  // namespace descent
