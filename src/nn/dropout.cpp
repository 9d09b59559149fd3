#include "nn/dropout.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {

Dropout::Dropout(float rate) : rate_(rate) {
  if (!std::isfinite(rate_) || rate_ < 0.0f || rate_ >= 1.0f)
    throw InvalidArgument(fmt::format("Dropout: rate must be in [0, 1), got {}", rate_));
}

Shape Dropout::build(const Shape& input_shape, Rng& rng) {
  rng_ = rng.split();
  return input_shape;
}

Variable Dropout::forward(const Variable& x, bool training) {
  return dropout(x, rate_, training, rng_);
}

nlohmann::json Dropout::config() const {
  return {{"type", type()}, {"rate", rate_}};
}

}  // namespace descent
