#include "optim/schedule/polynomial_lr.h"

#include <algorithm>
#include <cmath>

#include "optim/schedule/check.h"

namespace descent {

PolynomialLR::PolynomialLR(double initial_lr, PolynomialLROptions options)
    : initial_lr_(initial_lr), options_(options) {
  schedule_check::positive_lr("PolynomialLR", "initial lr", initial_lr);
  schedule_check::at_least("PolynomialLR", "total_iters", options.total_iters, 1);
  schedule_check::positive("PolynomialLR", "power", options.power);
}

double PolynomialLR::lr(std::int64_t t) const {
  schedule_check::step("PolynomialLR", t);
  const double done = static_cast<double>(std::min(t, options_.total_iters));
  return initial_lr_ *
         std::pow(1.0 - done / static_cast<double>(options_.total_iters), options_.power);
}

nlohmann::json PolynomialLR::config() const {
  return options_to_json(options_);
}

}  // namespace descent
