#include "nn/flatten.h"

#include "core/ops.h"

namespace descent {

Flatten::Flatten(Shape input_shape) {
  if (!input_shape.empty()) input_shape_ = std::move(input_shape);
}

Shape Flatten::build(const Shape& input_shape, Rng& /*rng*/) {
  return plan(input_shape).output;
}

LayerPlan Flatten::plan(const Shape& input_shape) const {
  return {{shape_size(input_shape)}};
}

Variable Flatten::forward(const Variable& x, bool /*training*/) {
  return x.shape().size() == 2 ? x : flatten(x);
}

nlohmann::json Flatten::config() const {
  nlohmann::json c = {{"type", type()}};
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

}  // namespace descent
