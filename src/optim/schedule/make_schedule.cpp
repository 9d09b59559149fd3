#include "optim/schedule/make_schedule.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
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

// Typed access to one schedule's JSON parameters; remembers which keys were asked for so that
// finish() can reject the rest by name.
class Params {
 public:
  Params(std::string_view schedule, const json& params) : schedule_(schedule) {
    if (!params.is_null() && !params.is_object()) {
      throw InvalidArgument(
          fmt::format("{}: parameters must be a JSON object, got {}", schedule, params.dump()));
    }
    if (params.is_object()) params_ = params;
  }

  // Sets `field` when `key` is present (null counts as absent for optional fields).
  template <typename T>
  void read(std::string_view key, T& field) {
    if (const json* v = find(key)) field = convert(key, *v, field);
  }
  // As read(), but the key must be present.
  template <typename T>
  void require(std::string_view key, T& field) {
    const json* v = find(key);
    if (!v) throw InvalidArgument(fmt::format("{}: missing parameter '{}'", schedule_, key));
    field = convert(key, *v, field);
  }
  const json* find(std::string_view key) {
    known_.emplace_back(key);
    const auto it = params_.find(key);
    return it == params_.end() ? nullptr : &*it;
  }
  void finish() const {
    for (const auto& [key, value] : params_.items()) {
      if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
        throw InvalidArgument(fmt::format("{}: unknown parameter '{}' (known: {})", schedule_, key,
                                          fmt::join(known_, ", ")));
      }
    }
  }
  std::string_view schedule() const { return schedule_; }

 private:
  [[noreturn]] void wrong(std::string_view key, std::string_view expected, const json& v) const {
    throw InvalidArgument(
        fmt::format("{}: parameter '{}' must be {}, got {}", schedule_, key, expected, v.dump()));
  }
  std::int64_t convert(std::string_view key, const json& v, std::int64_t) const {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::abs(d) < 9.0e18) {
        return static_cast<std::int64_t>(d);
      }
    }
    wrong(key, "an integer", v);
  }
  double convert(std::string_view key, const json& v, double) const {
    if (!v.is_number()) wrong(key, "a number", v);
    return v.get<double>();
  }
  bool convert(std::string_view key, const json& v, bool) const {
    if (!v.is_boolean()) wrong(key, "true or false", v);
    return v.get<bool>();
  }
  std::string convert(std::string_view key, const json& v, const std::string&) const {
    if (!v.is_string()) wrong(key, "a string", v);
    return v.get<std::string>();
  }
  template <typename T>
  std::optional<T> convert(std::string_view key, const json& v, const std::optional<T>&) const {
    if (v.is_null()) return std::nullopt;
    return convert(key, v, T{});
  }
  template <typename T>
  std::vector<T> convert(std::string_view key, const json& v, const std::vector<T>&) const {
    if (!v.is_array()) wrong(key, "a list", v);
    std::vector<T> out;
    for (const auto& e : v)
      out.push_back(convert(key, e, T{}));
    return out;
  }

  std::string_view schedule_;
  json params_ = json::object();
  std::vector<std::string> known_;
};

std::vector<std::unique_ptr<Schedule>> children(Params& p, const json& specs, double initial_lr,
                                                const std::vector<std::int64_t>& starts,
                                                std::int64_t total_steps) {
  if (!specs.is_array()) {
    throw InvalidArgument(
        fmt::format("{}: parameter 'schedules' must be a list of schedule specs", p.schedule()));
  }
  std::vector<std::unique_ptr<Schedule>> out;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    // A schedule inside SequentialLR starts at its milestone, so fewer steps remain for it.
    const std::int64_t start = i < starts.size() ? starts[i] : 0;
    const std::int64_t remaining = total_steps > start ? total_steps - start : 0;
    out.push_back(make_schedule_from_spec(specs[i], initial_lr, remaining));
  }
  return out;
}

using Ptr = std::unique_ptr<Schedule>;
using Builder = Ptr (*)(Params&, double, std::int64_t);

struct Entry {
  std::string_view name;
  Builder build;
};

// Each builder reads its options (defaults from the options struct), rejects unknown keys, then
// constructs, so the constructor's validation sees complete options.
const Entry kSchedules[] = {
    {"Constant",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       p.finish();
       return std::make_unique<ConstantSchedule>(lr);
     }},
    {"StepLR",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       StepLROptions o;
       p.require("step_size", o.step_size);
       p.read("gamma", o.gamma);
       p.finish();
       return std::make_unique<StepLR>(lr, o);
     }},
    {"MultiStepLR",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       MultiStepLROptions o;
       p.require("milestones", o.milestones);
       p.read("gamma", o.gamma);
       p.finish();
       return std::make_unique<MultiStepLR>(lr, o);
     }},
    {"ConstantLR",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       ConstantLROptions o;
       p.read("factor", o.factor);
       p.read("total_iters", o.total_iters);
       p.finish();
       return std::make_unique<ConstantLR>(lr, o);
     }},
    {"LinearLR",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       LinearLROptions o;
       p.read("start_factor", o.start_factor);
       p.read("end_factor", o.end_factor);
       p.read("total_iters", o.total_iters);
       p.finish();
       return std::make_unique<LinearLR>(lr, o);
     }},
    {"ExponentialLR",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       ExponentialLROptions o;
       p.require("gamma", o.gamma);
       p.finish();
       return std::make_unique<ExponentialLR>(lr, o);
     }},
    {"PolynomialLR",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       PolynomialLROptions o;
       p.read("total_iters", o.total_iters);
       p.read("power", o.power);
       p.finish();
       return std::make_unique<PolynomialLR>(lr, o);
     }},
    {"CosineAnnealingLR",
     [](Params& p, double lr, std::int64_t total) -> Ptr {
       CosineAnnealingLROptions o;
       if (total > 0) {
         o.T_max = total;
         p.read("T_max", o.T_max);
       } else {
         p.require("T_max", o.T_max);
       }
       p.read("eta_min", o.eta_min);
       p.finish();
       return std::make_unique<CosineAnnealingLR>(lr, o);
     }},
    {"CosineAnnealingWarmRestarts",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       CosineAnnealingWarmRestartsOptions o;
       p.require("T_0", o.T_0);
       p.read("T_mult", o.T_mult);
       p.read("eta_min", o.eta_min);
       p.finish();
       return std::make_unique<CosineAnnealingWarmRestarts>(lr, o);
     }},
    {"CyclicLR",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       CyclicLROptions o;
       std::string mode(to_string(o.mode));
       p.require("max_lr", o.max_lr);
       p.read("step_size_up", o.step_size_up);
       p.read("step_size_down", o.step_size_down);
       p.read("mode", mode);
       p.read("gamma", o.gamma);
       p.read("cycle_momentum", o.cycle_momentum);
       p.read("base_momentum", o.base_momentum);
       p.read("max_momentum", o.max_momentum);
       p.finish();
       o.mode = parse_cyclic_lr_mode(mode);
       return std::make_unique<CyclicLR>(lr, o);
     }},
    {"OneCycleLR",
     [](Params& p, double lr, std::int64_t total) -> Ptr {
       OneCycleLROptions o;
       std::string anneal(to_string(o.anneal_strategy));
       p.read("max_lr", o.max_lr);
       if (total > 0) {
         o.total_steps = total;
         p.read("total_steps", o.total_steps);
       } else {
         p.require("total_steps", o.total_steps);
       }
       p.read("pct_start", o.pct_start);
       p.read("anneal_strategy", anneal);
       p.read("cycle_momentum", o.cycle_momentum);
       p.read("base_momentum", o.base_momentum);
       p.read("max_momentum", o.max_momentum);
       p.read("div_factor", o.div_factor);
       p.read("final_div_factor", o.final_div_factor);
       p.read("three_phase", o.three_phase);
       p.finish();
       o.anneal_strategy = parse_one_cycle_anneal(anneal);
       return std::make_unique<OneCycleLR>(lr, o);
     }},
    {"SequentialLR",
     [](Params& p, double lr, std::int64_t total) -> Ptr {
       std::vector<std::int64_t> milestones;
       p.require("milestones", milestones);
       const json* specs = p.find("schedules");
       if (!specs) throw InvalidArgument("SequentialLR: missing parameter 'schedules'");
       p.finish();
       std::vector<std::int64_t> starts{0};
       starts.insert(starts.end(), milestones.begin(), milestones.end());
       return std::make_unique<SequentialLR>(children(p, *specs, lr, starts, total), milestones);
     }},
    {"ChainedScheduler",
     [](Params& p, double lr, std::int64_t total) -> Ptr {
       const json* specs = p.find("schedules");
       if (!specs) throw InvalidArgument("ChainedScheduler: missing parameter 'schedules'");
       p.finish();
       return std::make_unique<ChainedScheduler>(lr, children(p, *specs, lr, {}, total));
     }},
    {"ReduceLROnPlateau",
     [](Params& p, double lr, std::int64_t total) -> Ptr {
       ReduceLROnPlateauOptions o;
       std::string mode(to_string(o.mode));
       std::string threshold_mode(to_string(o.threshold_mode));
       p.read("mode", mode);
       p.read("factor", o.factor);
       p.read("patience", o.patience);
       p.read("threshold", o.threshold);
       p.read("threshold_mode", threshold_mode);
       p.read("cooldown", o.cooldown);
       p.read("min_lr", o.min_lr);
       p.read("eps", o.eps);
       const json* inner = p.find("inner");
       p.finish();
       o.mode = parse_plateau_mode(mode);
       o.threshold_mode = parse_threshold_mode(threshold_mode);
       auto inner_schedule = inner ? make_schedule_from_spec(*inner, lr, total)
                                   : std::make_unique<ConstantSchedule>(lr);
       return std::make_unique<ReduceLROnPlateau>(std::move(inner_schedule), o);
     }},
    {"ExponentialDecay",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       ExponentialDecayOptions o;
       p.require("decay_steps", o.decay_steps);
       p.require("decay_rate", o.decay_rate);
       p.read("staircase", o.staircase);
       p.finish();
       return std::make_unique<ExponentialDecay>(lr, o);
     }},
    {"PiecewiseConstantDecay",
     [](Params& p, double, std::int64_t) -> Ptr {
       PiecewiseConstantDecayOptions o;
       p.require("boundaries", o.boundaries);
       p.require("values", o.values);
       p.finish();
       return std::make_unique<PiecewiseConstantDecay>(o);
     }},
    {"PolynomialDecay",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       PolynomialDecayOptions o;
       p.require("decay_steps", o.decay_steps);
       p.read("end_learning_rate", o.end_learning_rate);
       p.read("power", o.power);
       p.read("cycle", o.cycle);
       p.finish();
       return std::make_unique<PolynomialDecay>(lr, o);
     }},
    {"InverseTimeDecay",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       InverseTimeDecayOptions o;
       p.require("decay_steps", o.decay_steps);
       p.require("decay_rate", o.decay_rate);
       p.read("staircase", o.staircase);
       p.finish();
       return std::make_unique<InverseTimeDecay>(lr, o);
     }},
    {"CosineDecay",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       CosineDecayOptions o;
       p.require("decay_steps", o.decay_steps);
       p.read("alpha", o.alpha);
       p.read("warmup_target", o.warmup_target);
       p.read("warmup_steps", o.warmup_steps);
       p.finish();
       return std::make_unique<CosineDecay>(lr, o);
     }},
    {"CosineDecayRestarts",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       CosineDecayRestartsOptions o;
       p.require("first_decay_steps", o.first_decay_steps);
       p.read("t_mul", o.t_mul);
       p.read("m_mul", o.m_mul);
       p.read("alpha", o.alpha);
       p.finish();
       return std::make_unique<CosineDecayRestarts>(lr, o);
     }},
    {"KerasLegacyDecay",
     [](Params& p, double lr, std::int64_t) -> Ptr {
       KerasLegacyDecayOptions o;
       p.require("decay", o.decay);
       p.finish();
       return std::make_unique<KerasLegacyDecay>(lr, o);
     }},
};

}  // namespace

std::unique_ptr<Schedule> make_schedule(std::string_view name, const nlohmann::json& params,
                                        double initial_lr, std::int64_t total_steps) {
  for (const auto& entry : kSchedules) {
    if (entry.name == name) {
      Params p(entry.name, params);
      return entry.build(p, initial_lr, total_steps);
    }
  }
  throw InvalidArgument(
      fmt::format("unknown schedule '{}' (known: {})", name, fmt::join(schedule_names(), ", ")));
}

std::unique_ptr<Schedule> make_schedule_from_spec(const nlohmann::json& spec, double initial_lr,
                                                  std::int64_t total_steps) {
  if (!spec.is_object() || !spec.contains("name") || !spec["name"].is_string()) {
    throw InvalidArgument(fmt::format(
        "schedule spec must be {{\"name\": ..., \"params\": {{...}}}}, got {}", spec.dump()));
  }
  for (const auto& [key, value] : spec.items()) {
    if (key != "name" && key != "params") {
      throw InvalidArgument(
          fmt::format("schedule spec: unknown key '{}' (known: name, params)", key));
    }
  }
  const auto name = spec["name"].get<std::string>();
  return make_schedule(name, spec.value("params", nlohmann::json::object()), initial_lr,
                       total_steps);
}

std::vector<std::string_view> schedule_names() {
  std::vector<std::string_view> names;
  for (const auto& entry : kSchedules)
    names.push_back(entry.name);
  return names;
}

}  // namespace descent
