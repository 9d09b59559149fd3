#include "optim/lion.h"

#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

LionOptions LionOptions::keras() {
  return {.lr = 1e-3};
}

template <std::floating_point T>
BasicLion<T>::BasicLion(const LionOptions& options)
    : BasicOptimizer<T>("lion", options.lr, options.clip), options_(options) {
  check_unit_interval("lion", "betas[0]", options.betas[0]);
  check_unit_interval("lion", "betas[1]", options.betas[1]);
  check_non_negative("lion", "weight_decay", options.weight_decay);
}

template <std::floating_point T>
nlohmann::json BasicLion<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicLion<T>::set_momentum(double beta1) {
  check_unit_interval("lion", "betas[0]", beta1);
  options_.betas[0] = beta1;
}

template <std::floating_point T>
void BasicLion<T>::init_state(ParamState<T>& state, std::size_t size) const {
  state.slots.assign(1, std::vector<T>(size, T(0)));
}

template <std::floating_point T>
void BasicLion<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                          double lr, double weight_decay_scale) {
  const LionOptions& o = options_;
  const T b1 = static_cast<T>(o.betas[0]), one_minus_b1 = static_cast<T>(1.0 - o.betas[0]);
  const T b2 = static_cast<T>(o.betas[1]), one_minus_b2 = static_cast<T>(1.0 - o.betas[1]);
  const T lr_t = static_cast<T>(lr);
  const T keep = static_cast<T>(1.0 - lr * o.weight_decay * weight_decay_scale);
  T* w = value.data();
  const T* g = grad.data();
  T* m = state.slots[0].data();
  for_each_element(static_cast<std::int64_t>(value.size()), [=](std::int64_t i) {
    const T c = b1 * m[i] + one_minus_b1 * g[i];
    const T sign = static_cast<T>((c > 0) - (c < 0));
    w[i] = w[i] * keep - lr_t * sign;
    m[i] = b2 * m[i] + one_minus_b2 * g[i];
  });
}

template class BasicLion<float>;
template class BasicLion<double>;

Lion::Lion(std::vector<Variable> params, const LionOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicLion<float>>(options)) {}

}  // namespace descent
