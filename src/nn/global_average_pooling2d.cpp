#include "nn/global_average_pooling2d.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {

Shape GlobalAveragePooling2D::build(const Shape& input_shape, Rng& /*rng*/) {
  return plan(input_shape).output;
}

LayerPlan GlobalAveragePooling2D::plan(const Shape& input_shape) const {
  if (input_shape.size() != 3)
    throw InvalidArgument(
        fmt::format("GlobalAveragePooling2D expects (channels, height, width) inputs, got shape {}",
                    shape_string(input_shape)));
  return {{input_shape[0]}};
}

// A mean over the batch's two spatial axes: the reduce kernels already make it and its gradient.
Variable GlobalAveragePooling2D::forward(const Variable& x, bool /*training*/) {
  return mean(x, {2, 3});
}

nlohmann::json GlobalAveragePooling2D::config() const {
  return {{"type", type()}};
}

}  // namespace descent
