// How long each run of tune's sweep trains: a share of the final run's optimizer steps, so that
// the sweep costs the same fraction of the final run on a small data set as on a large one. A
// budget shorter than an epoch trains one epoch over a seeded random part of the training set
// (what the first steps of a shuffled epoch would see); a longer one whole epochs.
//
//   SweepBudget b = sweep_budget(10'000, 64, 564);  // a tenth of 564 steps: 57
//   b.epochs;   // 1
//   b.samples;  // 3,648 of the 10,000 (57 batches of 64)
//   std::optional<Dataset> part = sweep_training_part(train, b, seed);
#pragma once

#include <cstdint>
#include <optional>

#include "data/dataset.h"

namespace descent {

struct SweepBudget {
  std::int64_t steps = 0;    // optimizer steps of each run: epochs × ceil(samples / batch size)
  int epochs = 1;            // over `samples` training samples
  std::int64_t samples = 0;  // the whole training set, or a part when steps < one epoch
};

inline constexpr double kSweepShare = 0.1;          // of the final run's steps, per sweep run
inline constexpr std::int64_t kMinSweepSteps = 30;  // fewer hardly tell two η apart

// `share` of `final_steps` (at least kMinSweepSteps and at most final_steps), rounded to whole
// epochs when it is at least one. Needs train_size, batch_size, final_steps >= 1 and share in
// (0, 1]; else InvalidArgument.
SweepBudget sweep_budget(std::int64_t train_size, std::int64_t batch_size, std::int64_t final_steps,
                         double share = kSweepShare);
// About `steps` optimizer steps: whole epochs (rounded, at least one) when steps is at least an
// epoch, else one epoch over a part of steps × batch_size samples. Needs sizes and steps >= 1.
SweepBudget sweep_steps_budget(std::int64_t train_size, std::int64_t batch_size,
                               std::int64_t steps);
// `epochs` whole epochs of the training set (tune --sweep-epochs).
SweepBudget sweep_epochs_budget(std::int64_t train_size, std::int64_t batch_size, int epochs);

// budget.samples of `train`'s samples drawn without replacement by a shuffle seeded with `seed`;
// nullopt when the budget covers the whole set (the sweep trains on `train` itself, uncopied).
std::optional<Dataset> sweep_training_part(const Dataset& train, const SweepBudget& budget,
                                           std::uint64_t seed);

}  // namespace descent
