#include "optim/schedule/linear_lr.h"

#include <algorithm>

#include "optim/schedule/check.h"

namespace descent {

LinearLR::LinearLR(double initial_lr, LinearLROptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("LinearLR", "initial lr", initial_lr);
  // start_factor 0 is excluded: PyTorch's recursive form divides by it at t = 1.
  schedule_check::in_range("LinearLR", "start_factor", options.start_factor, 0.0, 1.0, true);
  schedule_check::in_range("LinearLR", "end_factor", options.end_factor, 0.0, 1.0);
  schedule_check::at_least("LinearLR", "total_iters", options.total_iters, 1);
}

double LinearLR::lr(std::int64_t t) const {
  schedule_check::step("LinearLR", t);
  const auto& o = options_;
  const double done = static_cast<double>(std::min(t, o.total_iters));
  return initial_lr_ * (o.start_factor + (o.end_factor - o.start_factor) * done /
                                             static_cast<double>(o.total_iters));
}

nlohmann::json LinearLR::config() const {
  return options_to_json(options_);
}

}  // namespace descent
