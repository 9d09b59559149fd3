// Flatten: (batch, d1, d2, ...) -> (batch, d1·d2·...).
#pragma once

#include "nn/layer.h"

namespace descent {

class Flatten : public Layer {
 public:
  // `input_shape` for a first layer (e.g. {1, 28, 28}); empty: taken from the previous layer.
  explicit Flatten(Shape input_shape = {});

  std::string type() const override { return "Flatten"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  nlohmann::json config() const override;
};

}  // namespace descent
