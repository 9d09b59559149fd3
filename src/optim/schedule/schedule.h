// Schedule: the learning rate η as a function of the scheduler step t, the interface every
// learning-rate schedule in descent implements (PyTorch's torch.optim.lr_scheduler and Keras's
// keras.optimizers.schedules, as objects you query rather than step).
//
// A schedule is built with the optimizer's initial η (PyTorch's base_lr, Keras's
// initial_learning_rate) and answers lr(t) for any t: the trainer writes lr(t) into the optimizer
// before step t + 1. t = 0 is the initial η; t counts optimizer steps or epochs, as the trainer
// decides (ScheduleInterval). Every schedule except ReduceLROnPlateau is a pure function of t;
// ReduceLROnPlateau also depends on the metrics given to observe(). docs/schedules.md lists them
// all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/state_dict.h"

namespace descent {

class Schedule {
 public:
  virtual ~Schedule() = default;

  // η after `t` scheduler steps (t = 0 is the initial η); throws InvalidArgument for t < 0.
  virtual double lr(std::int64_t t) const = 0;
  // Momentum (or Adam's β1) to set at t, for schedules that cycle it (CyclicLR, OneCycleLR);
  // nullopt otherwise.
  virtual std::optional<double> momentum(std::int64_t /*t*/) const { return std::nullopt; }
  // Called at the end of each epoch with the monitored metric; `t` is the first step whose η the
  // observation may change (the number of scheduler steps taken so far). Default ignores it.
  virtual void observe(std::int64_t /*t*/, double /*metric*/) {}
  // The largest t that lr() accepts, for a schedule of fixed length (OneCycleLR's total_steps);
  // nullopt when any t is fine.
  virtual std::optional<std::int64_t> last_step() const { return std::nullopt; }

  // The name make_schedule() knows this schedule by ("StepLR", "CosineDecay", ...).
  virtual std::string name() const = 0;
  // The parameters, as make_schedule() accepts them: make_schedule(name(), config(), η0, 0)
  // rebuilds an equal schedule.
  virtual nlohmann::json config() const = 0;

  // Exact, restorable state: meta = {"name", "config"} plus, for schedules with observed state,
  // "state". load_state_dict() rejects a state saved from a schedule with another name or config.
  virtual StateDict state_dict() const;
  virtual void load_state_dict(const StateDict& state);

 protected:
  // Throws InvalidArgument unless `state` was saved by a schedule with this name and config.
  void check_state_matches(const StateDict& state) const;
};

// {"name": s.name(), "params": s.config()}: how composite schedules and JSON configs name a
// schedule (make_schedule_from_spec() reads it back).
nlohmann::json to_spec(const Schedule& schedule);

// Whether the t given to a schedule counts optimizer steps or epochs; the trainer decides.
enum class ScheduleInterval { step, epoch };

// "step" / "epoch"; throws InvalidArgument for anything else.
ScheduleInterval parse_schedule_interval(std::string_view text);
std::string_view to_string(ScheduleInterval interval);

// The scheduler steps of a run of `epochs` over `samples` in batches of `batch_size` (a short last
// batch counts): batches × epochs per step, epochs per epoch. Everything that sizes a schedule or
// checks one against a run counts with this.
std::int64_t schedule_length(std::int64_t samples, std::int64_t batch_size, std::int64_t epochs,
                             ScheduleInterval interval);
// Throws InvalidArgument when `schedule` ends before a run of `length` scheduler steps does (it
// would fail at that step, with the run half done).
void check_schedule_length(const Schedule& schedule, std::int64_t length);

}  // namespace descent
