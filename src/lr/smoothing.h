// Smoothing of noisy per-step figures (the training loss of each mini-batch): an exponential
// moving average with bias correction, as TensorBoard smooths its scalars and as the
// learning-rate range test (Smith, 2015; fastai's lr_find) smooths its loss.
#pragma once

#include <vector>

namespace descent {

// The running average, one value at a time (the range finder smooths while it trains):
// m_k = beta * m_{k-1} + (1 - beta) * v_k, value_k = m_k / (1 - beta^k), k counting finite
// values. A non-finite value gives NaN and leaves the average as it was. beta in [0, 1), else
// InvalidArgument.
class BiasCorrectedAverage {
 public:
  explicit BiasCorrectedAverage(double beta);
  // Adds `value` and returns the corrected average (NaN when `value` is not finite).
  double add(double value);

 private:
  double beta_;
  double average_ = 0, weight_ = 1;  // weight_ = beta^k
};

// BiasCorrectedAverage over a whole series: a non-finite value gives NaN in the output (breaking
// the drawn line) and is skipped. beta in [0, 1), else InvalidArgument.
std::vector<double> smooth(const std::vector<double>& values, double beta);

}  // namespace descent
