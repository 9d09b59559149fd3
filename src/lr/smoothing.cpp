#include "lr/smoothing.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

BiasCorrectedAverage::BiasCorrectedAverage(double beta) : beta_(beta) {
  if (!(beta >= 0 && beta < 1))
    throw InvalidArgument(fmt::format("smoothing factor {} must be in [0, 1)", beta));
}

double BiasCorrectedAverage::add(double value) {
  if (!std::isfinite(value)) return std::numeric_limits<double>::quiet_NaN();
  average_ = beta_ * average_ + (1 - beta_) * value;
  weight_ *= beta_;
  return average_ / (1 - weight_);
}

std::vector<double> smooth(const std::vector<double>& values, double beta) {
  BiasCorrectedAverage average(beta);
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values)
    out.push_back(average.add(v));
  return out;
}

}  // namespace descent
