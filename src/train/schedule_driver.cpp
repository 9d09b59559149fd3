#include "train/schedule_driver.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

ScheduleDriver::ScheduleDriver(Schedule* schedule, Optimizer& optimizer)
    : schedule_(schedule), optimizer_(optimizer), written_(optimizer.lr()) {
  if (schedule != nullptr) check_cycled_momentum(*schedule, optimizer);
}

void ScheduleDriver::apply(std::int64_t t) {
  if (schedule_ == nullptr) return;
  if (optimizer_.lr() != written_) scale_ *= optimizer_.lr() / written_;
  written_ = schedule_->lr(t) * scale_;
  optimizer_.set_lr(written_);
  if (const auto momentum = schedule_->momentum(t)) optimizer_.set_momentum(*momentum);
}

void ScheduleDriver::scale_lr(double factor) {
  scale_ *= factor;
  written_ *= factor;
  optimizer_.set_lr(optimizer_.lr() * factor);
}

nlohmann::json ScheduleDriver::state() const {
  return {{"written", written_}, {"scale", scale_}};
}

void ScheduleDriver::load_state(const nlohmann::json& state) {
  written_ = state.at("written").get<double>();
  scale_ = state.at("scale").get<double>();
}

void check_cycled_momentum(const Schedule& schedule, const Optimizer& optimizer) {
  if (schedule.momentum(0) && !optimizer.momentum())
    throw InvalidArgument(
        fmt::format("{} cycles the momentum, which {} does not have: give it cycle_momentum=false",
                    schedule.name(), optimizer.name()));
}

}  // namespace descent
