#include "optim/schedule/make_schedule.h"

#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "core/options_reader.h"
#include "optim/schedule/chained_scheduler.h"
#include "optim/schedule/constant_lr.h"
#include "optim/schedule/constant_schedule.h"
#include "optim/schedule/cosine_annealing_lr.h"
#include "optim/schedule/cosine_annealing_warm_restarts.h"
#include "optim/schedule/cosine_decay.h"
#include "optim/schedule/cosine_decay_restarts.h"
#include "optim/schedule/cyclic_lr.h"
#include "optim/schedule/exponential_decay.h"
#include "optim/schedule/exponential_lr.h"
#include "optim/schedule/inverse_time_decay.h"
#include "optim/schedule/keras_legacy_decay.h"
#include "optim/schedule/linear_lr.h"
#include "optim/schedule/multi_step_lr.h"
#include "optim/schedule/one_cycle_lr.h"
#include "optim/schedule/piecewise_constant_decay.h"
#include "optim/schedule/polynomial_decay.h"
#include "optim/schedule/polynomial_lr.h"
#include "optim/schedule/reduce_lr_on_plateau.h"
#include "optim/schedule/sequential_lr.h"
#include "optim/schedule/step_lr.h"

namespace descent {

namespace {

using nlohmann::json;
using Ptr = std::unique_ptr<Schedule>;

OptionsReader reader(std::string_view schedule, const json& params) {
  return OptionsReader(schedule, "parameter", params);
}

// A schedule built from its initial η and options alone.
template <class ScheduleType, class Options>
Ptr build(std::string_view name, const json& params, double lr, std::int64_t) {
  return std::make_unique<ScheduleType>(lr, read_options<Options>(name, "parameter", params));
}

// `params` with `key` set to the run's length when known and not given: OneCycleLR's total_steps
// and CosineAnnealingLR's T_max default to it.
json with_run_length(const json& params, const char* key, std::int64_t total_steps) {
  json out = params;
  if (total_steps > 0 && (out.is_null() || out.is_object()) && !out.contains(key))
    out[key] = total_steps;
  return out;
}

std::vector<Ptr> children(std::string_view schedule, const json& specs, double initial_lr,
                          const std::vector<std::int64_t>& starts, std::int64_t total_steps) {
  if (!specs.is_array()) {
    throw InvalidArgument(
        fmt::format("{}: parameter 'schedules' must be a list of schedule specs", schedule));
  }
  std::vector<Ptr> out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    // A schedule inside SequentialLR starts at its milestone, so fewer steps remain for it.
    const std::int64_t start = i < starts.size() ? starts[i] : 0;
    const std::int64_t remaining = total_steps > start ? total_steps - start : 0;
    out.push_back(make_schedule_from_spec(specs[i], initial_lr, remaining));
  }
  return out;
}

using Builder = Ptr (*)(std::string_view name, const json& params, double lr,
                        std::int64_t total_steps);

struct Entry {
  std::string_view name;
  Builder build;
};

// Every schedule: most read their options struct whole (its fields() declare the keys), so
// validation in the constructor sees complete options; the rest need a little more.
const Entry kSchedules[] = {
    {"Constant",
     [](std::string_view name, const json& params, double lr, std::int64_t) -> Ptr {
       reader(name, params).finish();
       return std::make_unique<ConstantSchedule>(lr);
     }},
    {"StepLR", build<StepLR, StepLROptions>},
    {"MultiStepLR", build<MultiStepLR, MultiStepLROptions>},
    {"ConstantLR", build<ConstantLR, ConstantLROptions>},
    {"LinearLR", build<LinearLR, LinearLROptions>},
    {"ExponentialLR", build<ExponentialLR, ExponentialLROptions>},
    {"PolynomialLR", build<PolynomialLR, PolynomialLROptions>},
    {"CosineAnnealingLR",
     [](std::string_view name, const json& params, double lr, std::int64_t total) -> Ptr {
       return build<CosineAnnealingLR, CosineAnnealingLROptions>(
           name, with_run_length(params, "T_max", total), lr, total);
     }},
    {"CosineAnnealingWarmRestarts",
     build<CosineAnnealingWarmRestarts, CosineAnnealingWarmRestartsOptions>},
    {"CyclicLR", build<CyclicLR, CyclicLROptions>},
    {"OneCycleLR",
     [](std::string_view name, const json& params, double lr, std::int64_t total) -> Ptr {
       return build<OneCycleLR, OneCycleLROptions>(
           name, with_run_length(params, "total_steps", total), lr, total);
     }},
    {"SequentialLR",
     [](std::string_view name, const json& params, double lr, std::int64_t total) -> Ptr {
       OptionsReader r = reader(name, params);
       std::vector<std::int64_t> milestones;
       r.read("milestones", milestones, Presence::required);
       const json* specs = r.find("schedules");
       if (!specs) throw InvalidArgument("SequentialLR: missing parameter 'schedules'");
       r.finish();
       std::vector<std::int64_t> starts{0};
       starts.insert(starts.end(), milestones.begin(), milestones.end());
       return std::make_unique<SequentialLR>(children(name, *specs, lr, starts, total), milestones);
     }},
    {"ChainedScheduler",
     [](std::string_view name, const json& params, double lr, std::int64_t total) -> Ptr {
       OptionsReader r = reader(name, params);
       const json* specs = r.find("schedules");
       if (!specs) throw InvalidArgument("ChainedScheduler: missing parameter 'schedules'");
       r.finish();
       return std::make_unique<ChainedScheduler>(lr, children(name, *specs, lr, {}, total));
     }},
    {"ReduceLROnPlateau",
     [](std::string_view name, const json& params, double lr, std::int64_t total) -> Ptr {
       OptionsReader r = reader(name, params);
       ReduceLROnPlateauOptions o;
       r.read_fields(o);
       const json* inner = r.find("inner");
       r.finish();
       auto inner_schedule = inner ? make_schedule_from_spec(*inner, lr, total)
                                   : std::make_unique<ConstantSchedule>(lr);
       return std::make_unique<ReduceLROnPlateau>(std::move(inner_schedule), o);
     }},
    {"ExponentialDecay", build<ExponentialDecay, ExponentialDecayOptions>},
    {"PiecewiseConstantDecay",
     [](std::string_view name, const json& params, double, std::int64_t) -> Ptr {
       return std::make_unique<PiecewiseConstantDecay>(
           read_options<PiecewiseConstantDecayOptions>(name, "parameter", params));
     }},
    {"PolynomialDecay", build<PolynomialDecay, PolynomialDecayOptions>},
    {"InverseTimeDecay", build<InverseTimeDecay, InverseTimeDecayOptions>},
    {"CosineDecay", build<CosineDecay, CosineDecayOptions>},
    {"CosineDecayRestarts", build<CosineDecayRestarts, CosineDecayRestartsOptions>},
    {"KerasLegacyDecay", build<KerasLegacyDecay, KerasLegacyDecayOptions>},
};

}  // namespace

std::unique_ptr<Schedule> make_schedule(std::string_view name, const nlohmann::json& params,
                                        double initial_lr, std::int64_t total_steps) {
  for (const auto& entry : kSchedules) {
    if (entry.name == name) return entry.build(entry.name, params, initial_lr, total_steps);
  }
  throw InvalidArgument(
      fmt::format("unknown schedule '{}' (known: {})", name, fmt::join(schedule_names(), ", ")));
}

std::unique_ptr<Schedule> make_schedule_from_spec(const nlohmann::json& spec, double initial_lr,
                                                  std::int64_t total_steps) {
  if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string()) {
    throw InvalidArgument(
        fmt::format("schedule spec must be {{\"name\": ..., \"params\": {{...}}}}, got {}",
                    shown_in_message(spec)));
  }
  OptionsReader spec_reader("schedule spec", "key", spec);
  std::string name;
  spec_reader.read("name", name);
  const json* params = spec_reader.find("params");
  spec_reader.finish();
  return make_schedule(name, params ? *params : json::object(), initial_lr, total_steps);
}

std::vector<std::string_view> schedule_names() {
  std::vector<std::string_view> names;
  for (const auto& entry : kSchedules)
    names.push_back(entry.name);
  return names;
}

}  // namespace descent
