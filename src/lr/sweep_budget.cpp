#include "lr/sweep_budget.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/ceil_div.h"
#include "core/error.h"
#include "core/random.h"
#include "data/batches.h"

namespace descent {

SweepBudget sweep_budget(std::int64_t train_size, std::int64_t batch_size, std::int64_t final_steps,
                         double share) {
  if (train_size < 1 || batch_size < 1 || final_steps < 1 || !(share > 0 && share <= 1))
    throw InvalidArgument(fmt::format(
        "sweep_budget: needs sizes and steps >= 1 and a share in (0, 1], got {} samples, batch "
        "{}, {} steps, share {}",
        train_size, batch_size, final_steps, share));
  const auto wanted = std::min(
      final_steps,
      std::max(kMinSweepSteps,
               static_cast<std::int64_t>(std::ceil(share * static_cast<double>(final_steps)))));
  return sweep_steps_budget(train_size, batch_size, wanted);
}

SweepBudget sweep_steps_budget(std::int64_t train_size, std::int64_t batch_size,
                               std::int64_t steps) {
  if (train_size < 1 || batch_size < 1 || steps < 1)
    throw InvalidArgument(fmt::format(
        "sweep_steps_budget: needs sizes and steps >= 1, got {} samples, batch {}, {} steps",
        train_size, batch_size, steps));
  const std::int64_t per_epoch = ceil_div(train_size, batch_size);
  if (steps >= per_epoch) {
    const auto epochs = static_cast<int>(std::llround(static_cast<double>(steps) / per_epoch));
    return sweep_epochs_budget(train_size, batch_size, std::max(epochs, 1));
  }
  return {.steps = steps, .epochs = 1, .samples = steps * batch_size};
}

SweepBudget sweep_epochs_budget(std::int64_t train_size, std::int64_t batch_size, int epochs) {
  return {
      .steps = epochs * ceil_div(train_size, batch_size), .epochs = epochs, .samples = train_size};
}

std::optional<Dataset> sweep_training_part(const Dataset& train, const SweepBudget& budget,
                                           std::uint64_t seed) {
  if (budget.samples >= train.size()) return std::nullopt;
  Rng rng(seed);
  BatchOrder order(train.size(), budget.samples, /*shuffle=*/true, rng);
  order.start_epoch();
  return subset(train, order.batch(0));
}

}  // namespace descent
