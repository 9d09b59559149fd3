// Schedule presets: the shapes of a whole run that `descent tune` trains its final run with, named
// by the peak η they reach rather than by a schedule's own parameters.
//   "onecycle"  OneCycleLR peaking at the peak η (PyTorch's defaults: warmup over 30% from peak/25,
//               cosine annealing to peak/1e4). It cycles the momentum (or Adam's β1) only where
//               the optimizer has one, as fastai's fit_one_cycle does; Adagrad and Adadelta keep
//               theirs alone.
//   "cosine"    linear warmup over the first 5% of the steps from peak/25 to the peak, then cosine
//               decay to 0 (Keras's CosineDecay with warmup).
//   "constant"  no schedule: the peak η throughout.
// Parameters given with the preset (--schedule-param) override the preset's.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "optim/schedule/schedule.h"

namespace descent {

bool is_schedule_preset(std::string_view name);
// The preset `name` over `total_steps` scheduler steps; null for "constant". Throws
// InvalidArgument for an unknown preset or a bad parameter.
std::unique_ptr<Schedule> make_schedule_preset(std::string_view name, const nlohmann::json& params,
                                               double peak_lr, std::int64_t total_steps,
                                               bool optimizer_has_momentum);

}  // namespace descent
