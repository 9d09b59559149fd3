#include "optim/schedule/one_cycle_lr.h"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/schedule/check.h"

namespace descent {

OneCycleLR::OneCycleLR(double initial_lr, OneCycleLROptions options)
    : options_(options), max_lr_(options.max_lr.value_or(initial_lr)) {
  const auto& o = options_;
  schedule_check::positive_lr("OneCycleLR", "initial lr", initial_lr);
  schedule_check::positive_lr("OneCycleLR", "max_lr", max_lr_);
  schedule_check::at_least("OneCycleLR", "total_steps", o.total_steps, 2);
  schedule_check::in_range("OneCycleLR", "pct_start", o.pct_start, 0.0, 1.0, true, true);
  schedule_check::in_range("OneCycleLR", "max_momentum", o.max_momentum, 0.0, 1.0, false, true);
  schedule_check::in_range("OneCycleLR", "base_momentum", o.base_momentum, 0.0, o.max_momentum);
  schedule_check::positive("OneCycleLR", "div_factor", o.div_factor);
  schedule_check::positive("OneCycleLR", "final_div_factor", o.final_div_factor);

  const double start_lr = max_lr_ / o.div_factor;
  const double min_lr = start_lr / o.final_div_factor;
  const double total = static_cast<double>(o.total_steps);
  const double rise_end = o.pct_start * total - 1.0;
  const double hi = o.max_momentum;
  const double lo = o.base_momentum;
  if (o.three_phase) {
    phases_ = {{rise_end, start_lr, max_lr_, hi, lo},
               {2.0 * o.pct_start * total - 2.0, max_lr_, start_lr, lo, hi},
               {total - 1.0, start_lr, min_lr, hi, hi}};
  } else {
    phases_ = {{rise_end, start_lr, max_lr_, hi, lo}, {total - 1.0, max_lr_, min_lr, lo, hi}};
  }
  double start = 0.0;
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    if (!(phases_[i].end_step > start)) {
      throw InvalidArgument(fmt::format(
          "OneCycleLR: pct_start {} with total_steps {} leaves phase {} empty (steps {} to {})",
          o.pct_start, o.total_steps, i + 1, start, phases_[i].end_step));
    }
    start = phases_[i].end_step;
  }
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy == OneCycleAnneal::cos) {
    return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1.0);
  }
  return (end - start) * pct + start;
}

std::pair<const OneCycleLR::Phase*, double> OneCycleLR::locate(std::int64_t t) const {
  schedule_check::step("OneCycleLR", t);
  if (t > options_.total_steps) {
    throw InvalidArgument(
        fmt::format("OneCycleLR: step {} is past total_steps {}", t, options_.total_steps));
  }
  const double step = static_cast<double>(t);
  double start = 0.0;
  std::size_t i = 0;
  while (i + 1 < phases_.size() && step > phases_[i].end_step) {
    start = phases_[i].end_step;
    ++i;
  }
  return {&phases_[i], (step - start) / (phases_[i].end_step - start)};
}

double OneCycleLR::lr(std::int64_t t) const {
  const auto [phase, pct] = locate(t);
  return anneal(phase->start_lr, phase->end_lr, pct);
}

std::optional<double> OneCycleLR::momentum(std::int64_t t) const {
  if (!options_.cycle_momentum) return std::nullopt;
  const auto [phase, pct] = locate(t);
  return anneal(phase->start_momentum, phase->end_momentum, pct);
}

nlohmann::json OneCycleLR::config() const {
  OneCycleLROptions resolved = options_;
  resolved.max_lr = max_lr_;
  return options_to_json(resolved);
}

OneCycleAnneal parse_one_cycle_anneal(std::string_view text) {
  return enum_from_name<OneCycleAnneal>("OneCycleLR", "anneal_strategy", text);
}

}  // namespace descent
