// LayerNormalization (Ba, Kiros & Hinton, "Layer Normalization", 2016): each sample's features
// (the last axis) are shifted to mean 0 and scaled to variance 1, then scaled by gamma and shifted
// by beta, one per feature. Keras's LayerNormalization; its epsilon default is 1e-3 where PyTorch's
// LayerNorm uses 1e-5. The variance is the biased one in both frameworks.
#pragma once

#include "nn/layer.h"

namespace descent {

struct LayerNormalizationOptions {
  double epsilon = 1e-3;
  bool center = true;  // learn beta
  bool scale = true;   // learn gamma
  Shape input_shape = {};
};

class LayerNormalization : public Layer {
 public:
  explicit LayerNormalization(LayerNormalizationOptions options = {});

  std::string type() const override { return "LayerNormalization"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  std::vector<Parameter> parameters() override;
  nlohmann::json config() const override;

  Variable& gamma() { return gamma_; }
  Variable& beta() { return beta_; }

 private:
  LayerNormalizationOptions options_;
  Variable gamma_, beta_;
};

}  // namespace descent
