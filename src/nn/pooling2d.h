// The shared part of the 2-D pooling layers (MaxPool2D, AveragePooling2D): a pool_size ×
// pool_size window moved by `stride` (default pool_size) over (channels, height, width) inputs,
// padding "valid". A subclass names itself and picks the window's reduction.
#pragma once

#include "nn/layer.h"

namespace descent {

class Pooling2D : public Layer {
 public:
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  nlohmann::json config() const override;

 protected:
  // InvalidArgument naming the layer when pool_size <= 0.
  Pooling2D(const char* type, int pool_size, int stride);

  int pool_size_, stride_;
};

}  // namespace descent
