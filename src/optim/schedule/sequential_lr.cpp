#include "optim/schedule/sequential_lr.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/schedule/check.h"
#include "optim/schedule/children_state.h"

namespace descent {

SequentialLR::SequentialLR(std::vector<std::unique_ptr<Schedule>> schedules,
                           std::vector<std::int64_t> milestones)
    : schedules_(std::move(schedules)), milestones_(std::move(milestones)) {
  if (schedules_.size() < 2) {
    throw InvalidArgument(
        fmt::format("SequentialLR: needs at least 2 schedules, got {}", schedules_.size()));
  }
  for (const auto& s : schedules_) {
    if (!s) throw InvalidArgument("SequentialLR: a schedule is null");
  }
  if (milestones_.size() + 1 != schedules_.size()) {
    throw InvalidArgument(fmt::format("SequentialLR: {} schedules need {} milestones, got {}",
                                      schedules_.size(), schedules_.size() - 1,
                                      milestones_.size()));
  }
  schedule_check::increasing("SequentialLR", "milestones", milestones_, 1);
}

std::pair<std::size_t, std::int64_t> SequentialLR::locate(std::int64_t t) const {
  schedule_check::step("SequentialLR", t);
  const auto i = static_cast<std::size_t>(
      std::upper_bound(milestones_.begin(), milestones_.end(), t) - milestones_.begin());
  return {i, i == 0 ? t : t - milestones_[i - 1]};
}

double SequentialLR::lr(std::int64_t t) const {
  const auto [i, local] = locate(t);
  return schedules_[i]->lr(local);
}

std::optional<double> SequentialLR::momentum(std::int64_t t) const {
  const auto [i, local] = locate(t);
  return schedules_[i]->momentum(local);
}

void SequentialLR::observe(std::int64_t t, double metric) {
  const auto [i, local] = locate(t);
  schedules_[i]->observe(local, metric);
}

nlohmann::json SequentialLR::config() const {
  auto specs = nlohmann::json::array();
  for (const auto& s : schedules_)
    specs.push_back(to_spec(*s));
  return {{"schedules", specs}, {"milestones", milestones_}};
}

StateDict SequentialLR::state_dict() const {
  StateDict state = Schedule::state_dict();
  state.meta["children"] = children_state(schedules_);
  return state;
}

void SequentialLR::load_state_dict(const StateDict& state) {
  check_state_matches(state);
  load_children_state(name(), schedules_, state.meta);
}

}  // namespace descent
