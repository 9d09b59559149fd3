#include "optim/schedule/exponential_lr.h"

#include <cmath>

#include "optim/schedule/check.h"

namespace descent {

ExponentialLR::ExponentialLR(double initial_lr, ExponentialLROptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("ExponentialLR", "initial lr", initial_lr);
  schedule_check::positive("ExponentialLR", "gamma", options.gamma);
}

double ExponentialLR::lr(std::int64_t t) const {
  schedule_check::step("ExponentialLR", t);
  return initial_lr_ * std::pow(options_.gamma, static_cast<double>(t));
}

}  // namespace descent
