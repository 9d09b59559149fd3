// Dense: y = activation(x·W + b), Keras's defaults (glorot_uniform kernel, zero bias).
#pragma once

#include "nn/activation.h"
#include "nn/initializer.h"
#include "nn/layer.h"
#include "nn/regularizer.h"

namespace descent {

struct DenseOptions {
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = {Initializer::Kind::glorot_uniform};
  Initializer bias_initializer = {Initializer::Kind::zeros};
  Regularizer kernel_regularizer = {};
  Regularizer bias_regularizer = {};
  // Input width for the first layer (Keras input_shape=(n,)); empty: taken from the previous layer.
  Shape input_shape = {};
};

class Dense : public Layer {
 public:
  explicit Dense(std::int64_t units, DenseOptions options = {});

  std::string type() const override { return "Dense"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  std::vector<Parameter> parameters() override;
  std::vector<Variable> penalties() const override;
  nlohmann::json config() const override;

  Variable& kernel() { return kernel_; }
  Variable& bias() { return bias_; }

 private:
  std::int64_t units_;
  DenseOptions options_;
  Activation activation_;
  Variable kernel_, bias_;
};

}  // namespace descent
