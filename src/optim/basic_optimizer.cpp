#include "optim/basic_optimizer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"
#include "optim/for_each_element.h"
#include "optim/hyperparameter_checks.h"

namespace descent {
namespace {

// Sum of squares in double. Large tensors are cut into a number of chunks that depends only on
// the size, and the chunk sums are added in order, so the result is the same for any number of
// threads (no OpenMP reduction, whose order varies).
template <std::floating_point T>
double sum_of_squares(std::span<const T> x) {
  const auto n = static_cast<std::int64_t>(x.size());
  constexpr std::int64_t kChunks = 64;
  if (n < kParallelGrain) {
    double sum = 0;
    for (T v : x)
      sum += static_cast<double>(v) * static_cast<double>(v);
    return sum;
  }
  double partial[kChunks];
  const std::int64_t chunk = (n + kChunks - 1) / kChunks;
  parallel_for(kChunks, n, [&](std::int64_t c) {
    double sum = 0;
    const std::int64_t end = std::min(n, (c + 1) * chunk);
    for (std::int64_t i = c * chunk; i < end; ++i)
      sum += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    partial[c] = sum;
  });
  double sum = 0;
  for (double p : partial)
    sum += p;
  return sum;
}

template <std::floating_point T>
void scale(std::span<T> x, T factor) {
  T* data = x.data();
  for_each_element(static_cast<std::int64_t>(x.size()), [=](std::int64_t i) { data[i] *= factor; });
}

}  // namespace

template <std::floating_point T>
BasicOptimizer<T>::BasicOptimizer(std::string_view name, double lr, const ClipOptions& clip)
    : error_name_(name), lr_(lr), clip_(clip) {
  check_learning_rate(name, lr);
  validate(clip, name);
}

template <std::floating_point T>
void BasicOptimizer<T>::set_lr(double lr) {
  check_learning_rate(error_name_, lr);
  lr_ = lr;
}

template <std::floating_point T>
void BasicOptimizer<T>::set_momentum(double) {
  throw InvalidArgument(fmt::format("{} has no momentum to set", error_name_));
}

template <std::floating_point T>
void BasicOptimizer<T>::step(std::span<T> value, std::span<T> grad) {
  const ParamSlice<T> param{value, grad, 1.0};
  step(std::span<const ParamSlice<T>>(&param, 1));
}

template <std::floating_point T>
void BasicOptimizer<T>::step(std::span<const ParamSlice<T>> params) {
  if (params.size() > states_.size()) states_.resize(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const ParamSlice<T>& p = params[i];
    if (p.grad.empty()) continue;
    if (p.grad.size() != p.value.size())
      throw InvalidArgument(fmt::format("{}: parameter {} has {} values but a gradient of {}",
                                        error_name_, i, p.value.size(), p.grad.size()));
    const ParamState<T>& s = states_[i];
    if (s.step > 0) {
      for (const auto& slot : s.slots)
        if (!slot.empty() && slot.size() != p.value.size())
          throw InvalidArgument(fmt::format("{}: parameter {} changed size from {} to {}",
                                            error_name_, i, slot.size(), p.value.size()));
    }
  }
  clip(params);
  for (std::size_t i = 0; i < params.size(); ++i) {
    ParamState<T>& s = states_[i];
    if (!params[i].grad.empty() && s.step == 0 && s.slots.empty())
      init_state(s, params[i].value.size());
  }
  if (prepare_step(params, std::span<ParamState<T>>(states_.data(), params.size()))) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const ParamSlice<T>& p = params[i];
      if (p.grad.empty()) continue;
      ParamState<T>& s = states_[i];
      ++s.step;
      update(p.value, p.grad, s, lr_ * p.lr_scale, p.weight_decay_scale);
    }
  }
  ++iterations_;
}

template <std::floating_point T>
bool BasicOptimizer<T>::prepare_step(std::span<const ParamSlice<T>>, std::span<ParamState<T>>) {
  return true;
}

template <std::floating_point T>
void BasicOptimizer<T>::clip(std::span<const ParamSlice<T>> params) const {
  if (clip_.clipnorm) {
    for (const ParamSlice<T>& p : params) {
      if (p.grad.empty()) continue;
      const double norm = std::sqrt(sum_of_squares<T>(p.grad));
      if (norm > *clip_.clipnorm) scale(p.grad, static_cast<T>(*clip_.clipnorm / norm));
    }
  }
  if (clip_.global_clipnorm) {
    double total = 0;
    for (const ParamSlice<T>& p : params)
      if (!p.grad.empty()) total += sum_of_squares<T>(p.grad);
    const double factor = *clip_.global_clipnorm / (std::sqrt(total) + 1e-6);
    if (factor < 1)
      for (const ParamSlice<T>& p : params)
        if (!p.grad.empty()) scale(p.grad, static_cast<T>(factor));
  }
  if (clip_.clipvalue) {
    const T limit = static_cast<T>(*clip_.clipvalue);
    for (const ParamSlice<T>& p : params) {
      T* g = p.grad.data();
      for_each_element(static_cast<std::int64_t>(p.grad.size()),
                       [=](std::int64_t i) { g[i] = std::clamp(g[i], -limit, limit); });
    }
  }
}

template <std::floating_point T>
void BasicOptimizer<T>::swap_eval_point(std::span<const ParamSlice<T>> params) {
  const std::optional<std::size_t> slot = eval_point_slot();
  if (!slot) return;
  for (std::size_t i = 0; i < params.size() && i < states_.size(); ++i) {
    std::vector<std::vector<T>>& slots = states_[i].slots;
    if (*slot >= slots.size() || slots[*slot].empty()) continue;
    std::vector<T>& other = slots[*slot];
    const std::span<T> value = params[i].value;
    if (other.size() != value.size())
      throw InvalidArgument(
          fmt::format("{}: parameter {} has {} values but its evaluation point {}", error_name_, i,
                      value.size(), other.size()));
    T* w = value.data();
    T* o = other.data();
    for_each_element(static_cast<std::int64_t>(value.size()),
                     [=](std::int64_t j) { std::swap(w[j], o[j]); });
  }
}

template <std::floating_point T>
void BasicOptimizer<T>::init_state(ParamState<T>& state, std::size_t) const {
  state.slots.resize(slot_names().size());
}

template <std::floating_point T>
void BasicOptimizer<T>::restore(std::int64_t iterations, std::vector<ParamState<T>> states,
                                std::vector<double> scalars) {
  if (iterations < 0)
    throw InvalidArgument(
        fmt::format("{}: saved iteration count must be >= 0, got {}", error_name_, iterations));
  if (scalars.size() != scalars_.size())
    throw InvalidArgument(fmt::format("{}: saved state has {} optimizer scalars, expected {}",
                                      error_name_, scalars.size(), scalars_.size()));
  const std::vector<std::string> names = slot_names();
  for (std::size_t i = 0; i < states.size(); ++i) {
    const ParamState<T>& s = states[i];
    if (s.step < 0)
      throw InvalidArgument(fmt::format("{}: saved step of parameter {} must be >= 0, got {}",
                                        error_name_, i, s.step));
    if (s.step == 0 && s.slots.empty() && s.scalars.empty()) continue;
    if (s.slots.size() != names.size())
      throw InvalidArgument(fmt::format("{}: saved state of parameter {} has {} slots, expected {}",
                                        error_name_, i, s.slots.size(), names.size()));
    std::size_t size = 0;
    for (const auto& slot : s.slots) {
      if (slot.empty()) continue;
      if (size != 0 && slot.size() != size)
        throw InvalidArgument(
            fmt::format("{}: saved slots of parameter {} differ in size", error_name_, i));
      size = slot.size();
    }
    // Whatever a fresh state allocates up front must have been saved.
    ParamState<T> fresh;
    init_state(fresh, std::max<std::size_t>(size, 1));
    for (std::size_t k = 0; k < names.size(); ++k)
      if (!fresh.slots[k].empty() && s.slots[k].empty())
        throw InvalidArgument(
            fmt::format("{}: saved state of parameter {} lacks '{}'", error_name_, i, names[k]));
    if (s.scalars.size() != fresh.scalars.size())
      throw InvalidArgument(
          fmt::format("{}: saved state of parameter {} has {} scalars, expected {}", error_name_, i,
                      s.scalars.size(), fresh.scalars.size()));
  }
  iterations_ = iterations;
  states_ = std::move(states);
  scalars_ = std::move(scalars);
}

template class BasicOptimizer<float>;
template class BasicOptimizer<double>;

}  // namespace descent
