// What Schedule-Free SGD and AdamW share (Defazio et al., "The Road Less Scheduled", 2024;
// reference github.com/facebookresearch/schedule_free at 70785b5): the step's η after warm-up and
// the weight of the step in the average x. With k the step (from 0), η the optimizer's η:
//   η_k = η·(k + 1)/warmup_steps while k < warmup_steps, else η
//   η_max = max(η_max, η_k);  w = (k + 1)^r · η_max^weight_lr_power;  W = W + w;  c = w/W
// (c = 0 while W is 0, as the reference catches the division). k, η_max (starting at −1) and W
// are the rule's first three optimizer-level scalars, which checkpoints keep.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/basic_optimizer.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

struct ScheduleFreeStep {
  double lr_factor;  // η_k/η: the warm-up's factor
  double ckp1;       // c, the weight of the new z in x
};

// warmup_steps >= 0; r and weight_lr_power finite and >= 0.
inline void check_schedule_free_average(std::string_view optimizer, std::int64_t warmup_steps,
                                        double r, double weight_lr_power) {
  if (warmup_steps < 0)
    throw InvalidArgument(
        fmt::format("{}: warmup_steps must be >= 0, got {}", optimizer, warmup_steps));
  check_non_negative(optimizer, "r", r);
  check_non_negative(optimizer, "weight_lr_power", weight_lr_power);
}

// The scalars a fresh rule starts from: k, η_max, W.
inline std::vector<double> schedule_free_initial_scalars() {
  return {0.0, -1.0, 0.0};
}

// z and x (slots 0 and 1) start where a parameter stands at its first update.
template <std::floating_point T>
void start_schedule_free_points(std::span<const ParamSlice<T>> params,
                                std::span<ParamState<T>> states) {
  for (std::size_t i = 0; i < params.size(); ++i)
    if (!params[i].grad.empty() && states[i].step == 0)
      for (std::size_t slot : {0, 1})
        std::copy(params[i].value.begin(), params[i].value.end(), states[i].slots[slot].begin());
}

// Advances k, η_max and W (scalars[0..2]) by one step at η `lr`.
inline ScheduleFreeStep advance_schedule_free_average(double lr, std::int64_t warmup_steps,
                                                      double r, double weight_lr_power,
                                                      std::vector<double>& scalars) {
  const double k = scalars[0];
  const double factor =
      k < static_cast<double>(warmup_steps) ? (k + 1) / static_cast<double>(warmup_steps) : 1.0;
  const double lr_max = std::max(lr * factor, scalars[1]);
  const double weight = std::pow(k + 1, r) * std::pow(lr_max, weight_lr_power);
  const double weight_sum = scalars[2] + weight;
  scalars[0] = k + 1;
  scalars[1] = lr_max;
  scalars[2] = weight_sum;
  return {factor, weight_sum != 0 ? weight / weight_sum : 0.0};
}

}  // namespace descent
