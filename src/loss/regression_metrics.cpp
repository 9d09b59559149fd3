#include "loss/regression_metrics.h"

#include <cmath>

#include "core/deterministic_sum.h"
#include "loss/target_checks.h"

namespace descent {

void MeanAbsoluteErrorMetric::update(const Tensor& y_pred, const Tensor& y_true) {
  check_same_size(name().c_str(), y_pred.shape(), y_true);
  const float* p = y_pred.data();
  const float* t = y_true.data();
  accumulate(deterministic_sum(y_pred.size(), 1,
                               [&](std::int64_t i) { return std::abs(double(p[i]) - t[i]); }),
             static_cast<double>(y_pred.size()));
}

void MeanSquaredErrorMetric::update(const Tensor& y_pred, const Tensor& y_true) {
  check_same_size(name().c_str(), y_pred.shape(), y_true);
  const float* p = y_pred.data();
  const float* t = y_true.data();
  accumulate(deterministic_sum(y_pred.size(), 1,
                               [&](std::int64_t i) {
                                 const double diff = double(p[i]) - t[i];
                                 return diff * diff;
                               }),
             static_cast<double>(y_pred.size()));
}

double RootMeanSquaredErrorMetric::result() const {
  return std::sqrt(MeanSquaredErrorMetric::result());
}

}  // namespace descent
