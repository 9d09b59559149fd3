#include "nn/layer_normalization.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {

LayerNormalization::LayerNormalization(LayerNormalizationOptions options)
    : options_(std::move(options)) {
  if (!(options_.epsilon > 0))
    throw InvalidArgument(
        fmt::format("LayerNormalization: epsilon must be > 0, got {}", options_.epsilon));
  if (!options_.input_shape.empty()) input_shape_ = options_.input_shape;
}

LayerPlan LayerNormalization::plan(const Shape& input_shape) const {
  if (input_shape.empty() || input_shape.size() > 2)
    throw InvalidArgument(fmt::format(
        "LayerNormalization expects inputs of shape (features) or (time, features), got {}",
        shape_string(input_shape)));
  const double features = double(input_shape.back());
  return {input_shape, features * ((options_.scale ? 1 : 0) + (options_.center ? 1 : 0))};
}

Shape LayerNormalization::build(const Shape& input_shape, Rng& /*rng*/) {
  plan(input_shape);
  const std::int64_t features = input_shape.back();
  if (options_.scale) {
    Tensor gamma({features});
    gamma.fill(1.0f);
    gamma_ = Variable(std::move(gamma), true);
  }
  if (options_.center) {
    Tensor beta({features});
    beta.fill(0.0f);
    beta_ = Variable(std::move(beta), true);
  }
  return input_shape;
}

Variable LayerNormalization::forward(const Variable& x, bool /*training*/) {
  return layer_norm(x, gamma_, beta_, options_.epsilon);
}

std::vector<Parameter> LayerNormalization::parameters() {
  std::vector<Parameter> out;
  if (gamma_.defined()) out.push_back({name() + "/gamma", gamma_});
  if (beta_.defined()) out.push_back({name() + "/beta", beta_});
  return out;
}

nlohmann::json LayerNormalization::config() const {
  nlohmann::json c = {{"type", type()},
                      {"axis", -1},
                      {"epsilon", options_.epsilon},
                      {"center", options_.center},
                      {"scale", options_.scale}};
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

}  // namespace descent
