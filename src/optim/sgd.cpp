#include "optim/sgd.h"

#include <fmt/format.h>

#include "core/error.h"
#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {
namespace {

// PyTorch refuses Nesterov without momentum; Keras accepts it and runs plain SGD (its golden test
// does exactly that), which is what the momentum-0 update here does.
void check_nesterov(const SGDOptions& o) {
  if (o.nesterov && o.convention != Convention::keras && !(o.momentum > 0 && o.dampening == 0))
    throw InvalidArgument(fmt::format(
        "sgd: nesterov needs momentum > 0 and dampening 0, got momentum {} and dampening {}",
        o.momentum, o.dampening));
}

}  // namespace

SGDOptions SGDOptions::keras() {
  return {.lr = 0.01, .convention = Convention::keras};
}

template <std::floating_point T>
BasicSGD<T>::BasicSGD(const SGDOptions& options)
    : BasicOptimizer<T>("sgd", options.lr, options.clip), options_(options) {
  check_non_negative("sgd", "momentum", options.momentum);
  check_unit_interval("sgd", "dampening", options.dampening);
  check_non_negative("sgd", "weight_decay", options.weight_decay);
  check_nesterov(options);
  if (options.convention == Convention::keras && options.dampening != 0)
    throw InvalidArgument(
        fmt::format("sgd: Keras SGD has no dampening, got dampening {}", options.dampening));
}

template <std::floating_point T>
nlohmann::json BasicSGD<T>::config() const {
  return this->config_of(options_);
}

template <std::floating_point T>
void BasicSGD<T>::set_momentum(double momentum) {
  check_non_negative("sgd", "momentum", momentum);
  SGDOptions next = options_;
  next.momentum = momentum;
  check_nesterov(next);
  options_.momentum = momentum;
}

template <std::floating_point T>
void BasicSGD<T>::init_state(ParamState<T>& state, std::size_t) const {
  // The buffer is created by the first step that uses momentum (PyTorch's "buf is None").
  state.slots.resize(1);
}

template <std::floating_point T>
void BasicSGD<T>::update(std::span<T> value, std::span<const T> grad, ParamState<T>& state,
                         double lr, double weight_decay_scale) {
  const SGDOptions& o = options_;
  const auto n = static_cast<std::int64_t>(value.size());
  T* w = value.data();
  const T* g = grad.data();
  const bool keras = o.convention == Convention::keras;
  const bool nesterov = o.nesterov;
  const T mu = static_cast<T>(o.momentum);
  const T neg_lr = static_cast<T>(-lr);
  // λ of this parameter's group.
  const double weight_decay = o.weight_decay * weight_decay_scale;
  const T wd = static_cast<T>(weight_decay);
  const bool l2 = !keras && weight_decay != 0;
  const T keep = static_cast<T>(1.0 - lr * weight_decay);  // decoupled decay (keras)
  const bool decay = keras && weight_decay != 0;

  if (o.momentum == 0) {
    for_each_element(n, [=](std::int64_t i) {
      T wi = decay ? w[i] * keep : w[i];
      const T d = l2 ? g[i] + wd * wi : g[i];
      w[i] = wi + neg_lr * d;
    });
    return;
  }
  std::vector<T>& buffer = state.slots[0];
  const bool first = buffer.empty();
  if (first) buffer.assign(value.size(), T(0));
  T* b = buffer.data();
  if (keras) {
    const T lr_t = static_cast<T>(lr);
    for_each_element(n, [=](std::int64_t i) {
      const T wi = decay ? w[i] * keep : w[i];
      b[i] = mu * b[i] - lr_t * g[i];
      w[i] = nesterov ? wi + (mu * b[i] - lr_t * g[i]) : wi + b[i];
    });
    return;
  }
  const T undamped = static_cast<T>(1.0 - o.dampening);
  for_each_element(n, [=](std::int64_t i) {
    const T d = l2 ? g[i] + wd * w[i] : g[i];
    b[i] = first ? d : mu * b[i] + undamped * d;
    w[i] += neg_lr * (nesterov ? d + mu * b[i] : b[i]);
  });
}

template class BasicSGD<float>;
template class BasicSGD<double>;

SGD::SGD(std::vector<Variable> params, const SGDOptions& options)
    : Optimizer(std::move(params), std::make_unique<BasicSGD<float>>(options)) {}

}  // namespace descent
