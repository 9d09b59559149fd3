// State of the schedules inside a composite (SequentialLR, ChainedScheduler, ReduceLROnPlateau):
// each child's state_dict().meta, in order, under the composite's meta["children"].
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "optim/schedule/schedule.h"

namespace descent {

nlohmann::json children_state(const std::vector<std::unique_ptr<Schedule>>& children);
// Restores each child from meta["children"]; throws InvalidArgument if it is missing or its size
// differs.
void load_children_state(std::string_view composite,
                         const std::vector<std::unique_ptr<Schedule>>& children,
                         const nlohmann::json& meta);

}  // namespace descent
