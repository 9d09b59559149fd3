#include "optim/schedule/cyclic_lr.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/schedule/check.h"

namespace descent {

CyclicLR::CyclicLR(double initial_lr, CyclicLROptions options)
    : base_lr_(initial_lr),
      options_(options),
      step_size_down_(options.step_size_down.value_or(options.step_size_up)) {
  schedule_check::positive_lr("CyclicLR", "initial lr (base_lr)", initial_lr);
  schedule_check::positive_lr("CyclicLR", "max_lr", options.max_lr);
  schedule_check::at_least("CyclicLR", "step_size_up", options.step_size_up, 1);
  schedule_check::at_least("CyclicLR", "step_size_down", step_size_down_, 1);
  schedule_check::positive("CyclicLR", "gamma", options.gamma);
  schedule_check::in_range("CyclicLR", "max_momentum", options.max_momentum, 0.0, 1.0, false, true);
  schedule_check::in_range("CyclicLR", "base_momentum", options.base_momentum, 0.0,
                           options.max_momentum);
}

double CyclicLR::height(std::int64_t t) const {
  schedule_check::step("CyclicLR", t);
  // Same operations, in the same order, as PyTorch's CyclicLR.get_lr().
  const double up = static_cast<double>(options_.step_size_up);
  const double total = up + static_cast<double>(step_size_down_);
  const double ratio = up / total;
  const double td = static_cast<double>(t);
  const double cycle = std::floor(1.0 + td / total);
  const double x = 1.0 + td / total - cycle;
  const double s = x <= ratio ? x / ratio : (x - 1.0) / (ratio - 1.0);
  switch (options_.mode) {
    case CyclicLRMode::triangular:
      return s;
    case CyclicLRMode::triangular2:
      return s * (1.0 / std::pow(2.0, cycle - 1.0));
    case CyclicLRMode::exp_range:
      return s * std::pow(options_.gamma, td);
  }
  return s;
}

double CyclicLR::lr(std::int64_t t) const {
  return base_lr_ + (options_.max_lr - base_lr_) * height(t);
}

std::optional<double> CyclicLR::momentum(std::int64_t t) const {
  if (!options_.cycle_momentum) return std::nullopt;
  return options_.max_momentum - (options_.max_momentum - options_.base_momentum) * height(t);
}

nlohmann::json CyclicLR::config() const {
  CyclicLROptions resolved = options_;
  resolved.step_size_down = step_size_down_;
  return options_to_json(resolved);
}

CyclicLRMode parse_cyclic_lr_mode(std::string_view text) {
  return enum_from_name<CyclicLRMode>("CyclicLR", "mode", text);
}

}  // namespace descent
