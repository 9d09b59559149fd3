// GlobalAveragePooling2D: each channel's mean over its whole plane, (channels, height, width) ->
// (channels), the head of a ResNet before its last Dense layer.
#pragma once

#include "nn/layer.h"

namespace descent {

class GlobalAveragePooling2D : public Layer {
 public:
  std::string type() const override { return "GlobalAveragePooling2D"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  nlohmann::json config() const override;
};

}  // namespace descent
