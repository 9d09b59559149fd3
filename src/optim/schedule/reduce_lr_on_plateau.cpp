#include "optim/schedule/reduce_lr_on_plateau.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"
#include "optim/schedule/check.h"
#include "optim/schedule/children_state.h"
#include "optim/schedule/constant_schedule.h"

namespace descent {

namespace {
constexpr std::string_view kName = "ReduceLROnPlateau";
}  // namespace

ReduceLROnPlateau::ReduceLROnPlateau(double initial_lr, ReduceLROnPlateauOptions options)
    : ReduceLROnPlateau(std::make_unique<ConstantSchedule>(initial_lr), options) {}

ReduceLROnPlateau::ReduceLROnPlateau(std::unique_ptr<Schedule> inner,
                                     ReduceLROnPlateauOptions options)
    : inner_(std::move(inner)), options_(options) {
  if (!inner_) throw InvalidArgument("ReduceLROnPlateau: inner schedule is null");
  schedule_check::in_range(kName, "factor", options.factor, 0.0, 1.0, true, true);
  schedule_check::at_least(kName, "patience", options.patience, 0);
  schedule_check::non_negative(kName, "threshold", options.threshold);
  schedule_check::at_least(kName, "cooldown", options.cooldown, 0);
  schedule_check::non_negative(kName, "min_lr", options.min_lr);
  schedule_check::non_negative(kName, "eps", options.eps);
  best_ = worst();
}

double ReduceLROnPlateau::worst() const {
  return options_.mode == PlateauMode::min ? std::numeric_limits<double>::infinity()
                                           : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateau::is_better(double m) const {
  const double th = options_.threshold;
  const bool rel = options_.threshold_mode == ThresholdMode::rel;
  if (options_.mode == PlateauMode::min) return rel ? m < best_ * (1.0 - th) : m < best_ - th;
  return rel ? m > best_ * (th + 1.0) : m > best_ + th;
}

double ReduceLROnPlateau::scale(std::int64_t t) const {
  const auto after = std::upper_bound(reductions_.begin(), reductions_.end(), t,
                                      [](std::int64_t v, const Reduction& r) { return v < r.t; });
  return after == reductions_.begin() ? 1.0 : std::prev(after)->scale;
}

double ReduceLROnPlateau::lr(std::int64_t t) const {
  schedule_check::step(kName, t);
  const double base = inner_->lr(t);
  return std::max(base * scale(t), std::min(base, options_.min_lr));
}

void ReduceLROnPlateau::observe(std::int64_t t, double metric) {
  schedule_check::step(kName, t);
  if (t < last_t_) {
    throw InvalidArgument(
        fmt::format("ReduceLROnPlateau: observe at step {} after one at step {}", t, last_t_));
  }
  inner_->observe(t, metric);
  last_t_ = t;
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > options_.patience) {
    const double base = inner_->lr(t);
    const double floor = std::min(base, options_.min_lr);
    const double old_lr = std::max(base * scale(t), floor);
    const double new_scale = scale(t) * options_.factor;
    if (old_lr - std::max(base * new_scale, floor) > options_.eps) {
      reductions_.push_back({t, new_scale});
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
}

nlohmann::json ReduceLROnPlateau::config() const {
  nlohmann::json config = options_to_json(options_);
  config["inner"] = to_spec(*inner_);
  return config;
}

StateDict ReduceLROnPlateau::state_dict() const {
  StateDict state = Schedule::state_dict();
  auto reductions = nlohmann::json::array();
  for (const auto& r : reductions_)
    reductions.push_back({r.t, r.scale});
  // JSON has no infinity: the initial "nothing seen yet" best is written as null.
  nlohmann::json best = nullptr;
  if (std::isfinite(best_)) best = best_;
  state.meta["state"] = {{"best", best},
                         {"num_bad_epochs", num_bad_epochs_},
                         {"cooldown_counter", cooldown_counter_},
                         {"last_epoch", last_epoch_},
                         {"last_t", last_t_},
                         {"reductions", reductions}};
  state.meta["children"] = nlohmann::json::array({inner_->state_dict().meta});
  return state;
}

void ReduceLROnPlateau::load_state_dict(const StateDict& state) {
  check_state_matches(state);
  const auto& meta = state.meta;
  try {
    const auto& s = meta.at("state");
    const double best = s.at("best").is_null() ? worst() : s.at("best").get<double>();
    std::vector<Reduction> reductions;
    for (const auto& r : s.at("reductions")) {
      reductions.push_back(
          {json_integer<std::int64_t>(r.at(0), "ReduceLROnPlateau state's reduction step"),
           r.at(1).get<double>()});
    }
    StateDict inner;
    inner.meta = meta.at("children").at(0);
    inner_->load_state_dict(inner);
    best_ = best;
    const auto counter = [&](const char* key) {
      return json_integer<std::int64_t>(s.at(key),
                                        fmt::format("ReduceLROnPlateau state's {}", key));
    };
    num_bad_epochs_ = counter("num_bad_epochs");
    cooldown_counter_ = counter("cooldown_counter");
    last_epoch_ = counter("last_epoch");
    last_t_ = counter("last_t");
    reductions_ = std::move(reductions);
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument(fmt::format("ReduceLROnPlateau: malformed state_dict: {}", e.what()));
  }
}

}  // namespace descent
