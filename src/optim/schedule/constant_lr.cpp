#include "optim/schedule/constant_lr.h"

#include "optim/schedule/check.h"

namespace descent {

ConstantLR::ConstantLR(double initial_lr, ConstantLROptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("ConstantLR", "initial lr", initial_lr);
  // factor 0 is excluded: PyTorch's recursive form divides by it at total_iters.
  schedule_check::in_range("ConstantLR", "factor", options.factor, 0.0, 1.0, true);
  schedule_check::at_least("ConstantLR", "total_iters", options.total_iters, 1);
}

double ConstantLR::lr(std::int64_t t) const {
  schedule_check::step("ConstantLR", t);
  return t < options_.total_iters ? initial_lr_ * options_.factor : initial_lr_;
}

nlohmann::json ConstantLR::config() const {
  return options_to_json(options_);
}

}  // namespace descent
