#include "nn/pooling2d.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

Pooling2D::Pooling2D(const char* type, int pool_size, int stride)
    : pool_size_(pool_size), stride_(stride > 0 ? stride : pool_size) {
  if (pool_size_ <= 0)
    throw InvalidArgument(fmt::format("{}: pool_size must be > 0, got {}", type, pool_size_));
}

Shape Pooling2D::build(const Shape& input_shape, Rng& /*rng*/) {
  return plan(input_shape).output;
}

LayerPlan Pooling2D::plan(const Shape& input_shape) const {
  if (input_shape.size() != 3 || input_shape[1] < pool_size_ || input_shape[2] < pool_size_)
    throw InvalidArgument(fmt::format("{}({}) cannot pool inputs of shape {}", type(), pool_size_,
                                      shape_string(input_shape)));
  return {{input_shape[0], (input_shape[1] - pool_size_) / stride_ + 1,
           (input_shape[2] - pool_size_) / stride_ + 1}};
}

nlohmann::json Pooling2D::config() const {
  return {{"type", type()}, {"pool_size", pool_size_}, {"strides", stride_}};
}

}  // namespace descent
