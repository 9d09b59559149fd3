#include "optim/schedule/schedule.h"

#include <fmt/format.h>

#include "core/ceil_div.h"
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

std::int64_t schedule_length(std::int64_t samples, std::int64_t batch_size, std::int64_t epochs,
                             ScheduleInterval interval) {
  if (interval == ScheduleInterval::epoch) return epochs;
  return ceil_div(samples, batch_size) * epochs;
}

void check_schedule_length(const Schedule& schedule, std::int64_t length) {
  const std::optional<std::int64_t> last = schedule.last_step();
  // The run asks for lr(t) at t = 0 .. length − 1.
  if (last && length - 1 > *last)
    throw InvalidArgument(fmt::format(
        "{} ends at step {} but the run has {} scheduler steps: give it a length of at least {}",
        schedule.name(), *last, length, length - 1));
}

}  // namespace descent
