#include "optim/schedule/schedule.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

StateDict Schedule::state_dict() const {
  StateDict state;
  state.meta["name"] = name();
  state.meta["config"] = config();
  return state;
}

void Schedule::load_state_dict(const StateDict& state) {
  check_state_matches(state);
}

void Schedule::check_state_matches(const StateDict& state) const {
  const auto& meta = state.meta;
  if (!meta.is_object() || !meta.contains("name") || !meta.contains("config")) {
    throw InvalidArgument(fmt::format("{}: state_dict has no schedule name and config", name()));
  }
  if (meta["name"] != name()) {
    throw InvalidArgument(
        fmt::format("{}: state_dict was saved from schedule {}", name(), meta["name"].dump()));
  }
  if (meta["config"] != config()) {
    throw InvalidArgument(fmt::format("{}: state_dict config {} differs from this schedule's {}",
                                      name(), meta["config"].dump(), config().dump()));
  }
}

nlohmann::json to_spec(const Schedule& schedule) {
  return {{"name", schedule.name()}, {"params", schedule.config()}};
}

ScheduleInterval parse_schedule_interval(std::string_view text) {
  if (text == "step") return ScheduleInterval::step;
  if (text == "epoch") return ScheduleInterval::epoch;
  throw InvalidArgument(fmt::format("unknown schedule interval '{}' (known: step, epoch)", text));
}

std::string_view to_string(ScheduleInterval interval) {
  return interval == ScheduleInterval::step ? "step" : "epoch";
}

}  // namespace descent
