// make_schedule: builds any schedule from its name and JSON parameters, for the CLI and JSON
// configs. Parameter names are PyTorch's / Keras's ("step_size", "gamma", "decay_steps", ...);
// docs/schedules.md lists every schedule with its parameters and defaults.
//
//   auto s = make_schedule("StepLR", {{"step_size", 30}, {"gamma", 0.1}}, 0.1, 0);
//   auto w = make_schedule("SequentialLR",
//       {{"schedules", {{{"name", "LinearLR"}, {"params", {{"start_factor", 0.1}}}},
//                       {{"name", "CosineAnnealingLR"}, {"params", {{"T_max", 95}}}}}},
//        {"milestones", {5}}}, 0.1, 100);
//
// Composites take their parts as specs {"name": ..., "params": {...}}: SequentialLR and
// ChainedScheduler in "schedules", ReduceLROnPlateau in "inner" (default Constant).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "optim/schedule/schedule.h"

namespace descent {

// initial_lr is the optimizer's initial η; total_steps is the number of scheduler steps in the run
// where known (<= 0: unknown): OneCycleLR's total_steps and CosineAnnealingLR's T_max default to
// it. Throws InvalidArgument for an unknown name (listing the known ones), an unknown parameter
// key (naming it), a parameter of the wrong JSON type, or an invalid value.
std::unique_ptr<Schedule> make_schedule(std::string_view name, const nlohmann::json& params,
                                        double initial_lr, std::int64_t total_steps);
// The same from a spec {"name": ..., "params": {...}} ("params" optional), as to_spec() writes.
std::unique_ptr<Schedule> make_schedule_from_spec(const nlohmann::json& spec, double initial_lr,
                                                  std::int64_t total_steps);
// Every name make_schedule() knows, in the order of docs/schedules.md.
std::vector<std::string_view> schedule_names();

}  // namespace descent
