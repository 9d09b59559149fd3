#include "optim/schedule/chained_scheduler.h"

#include "core/error.h"
#include "optim/schedule/check.h"
#include "optim/schedule/children_state.h"

namespace descent {

ChainedScheduler::ChainedScheduler(double initial_lr,
                                   std::vector<std::unique_ptr<Schedule>> schedules)
    : initial_lr_(initial_lr), schedules_(std::move(schedules)) {
  schedule_check::positive_lr("ChainedScheduler", "initial lr", initial_lr);
  if (schedules_.empty()) throw InvalidArgument("ChainedScheduler: needs at least 1 schedule");
  for (const auto& s : schedules_) {
    if (!s) throw InvalidArgument("ChainedScheduler: a schedule is null");
  }
}

double ChainedScheduler::lr(std::int64_t t) const {
  schedule_check::step("ChainedScheduler", t);
  double lr = initial_lr_;
  for (const auto& s : schedules_)
    lr *= s->lr(t) / initial_lr_;
  return lr;
}

std::optional<double> ChainedScheduler::momentum(std::int64_t t) const {
  std::optional<double> out;
  for (const auto& s : schedules_) {
    if (auto m = s->momentum(t)) out = m;
  }
  return out;
}

void ChainedScheduler::observe(std::int64_t t, double metric) {
  for (const auto& s : schedules_)
    s->observe(t, metric);
}

nlohmann::json ChainedScheduler::config() const {
  auto specs = nlohmann::json::array();
  for (const auto& s : schedules_)
    specs.push_back(to_spec(*s));
  return {{"schedules", specs}};
}

StateDict ChainedScheduler::state_dict() const {
  StateDict state = Schedule::state_dict();
  state.meta["children"] = children_state(schedules_);
  return state;
}

void ChainedScheduler::load_state_dict(const StateDict& state) {
  check_state_matches(state);
  load_children_state(name(), schedules_, state.meta);
}

}  // namespace descent
