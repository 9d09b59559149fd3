// Regression metrics over all values seen since reset(): mean absolute error, mean squared error
// and its square root (keras.metrics.MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError).
#pragma once

#include <string>

#include "loss/metric.h"

namespace descent {

class MeanAbsoluteErrorMetric : public MeanMetric {
 public:
  explicit MeanAbsoluteErrorMetric(std::string name = "mae") : MeanMetric(std::move(name)) {}
  void update(const Tensor& y_pred, const Tensor& y_true) override;
};

class MeanSquaredErrorMetric : public MeanMetric {
 public:
  explicit MeanSquaredErrorMetric(std::string name = "mse") : MeanMetric(std::move(name)) {}
  void update(const Tensor& y_pred, const Tensor& y_true) override;
};

// sqrt of the mean squared error over every value since reset() (not a mean of batch roots).
class RootMeanSquaredErrorMetric : public MeanSquaredErrorMetric {
 public:
  explicit RootMeanSquaredErrorMetric(std::string name = "rmse")
      : MeanSquaredErrorMetric(std::move(name)) {}
  double result() const override;
};

}  // namespace descent
