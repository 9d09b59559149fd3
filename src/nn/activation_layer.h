// ActivationLayer: applies an activation on its own (Keras's Activation("relu") layer).
#pragma once

#include "nn/activation.h"
#include "nn/layer.h"

namespace descent {

class ActivationLayer : public Layer {
 public:
  explicit ActivationLayer(std::string_view activation);

  std::string type() const override { return "Activation"; }
  Shape build(const Shape& input_shape, Rng& /*rng*/) override { return input_shape; }
  Variable forward(const Variable& x, bool /*training*/) override {
    return apply_activation(activation_, x);
  }
  nlohmann::json config() const override;

 private:
  Activation activation_;
};

}  // namespace descent
