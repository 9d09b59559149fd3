// Conv2D: 2-D convolution over (channels, height, width) inputs (channels first, as PyTorch),
// y = activation(conv(x, W) + b). Kernel (filters, in_channels, k, k), glorot_uniform like Keras.
#pragma once

#include "nn/activation.h"
#include "nn/initializer.h"
#include "nn/layer.h"
#include "nn/regularizer.h"

namespace descent {

struct Conv2DOptions {
  int stride = 1;
  // "valid" (no padding) or "same": Keras/TensorFlow's, output size ceil(input / stride), the
  // odd zero of an odd total padding after (bottom, right): same_padding in core/ops/conv2d.h.
  std::string padding = "valid";
  std::string activation = "linear";
  bool use_bias = true;
  Initializer kernel_initializer = {Initializer::Kind::glorot_uniform};
  Initializer bias_initializer = {Initializer::Kind::zeros};
  Regularizer kernel_regularizer = {};
  // (channels, height, width) for the first layer.
  Shape input_shape = {};
};

class Conv2D : public Layer {
 public:
  Conv2D(std::int64_t filters, int kernel_size, Conv2DOptions options = {});

  std::string type() const override { return "Conv2D"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  std::vector<Parameter> parameters() override;
  std::vector<Variable> penalties() const override;
  nlohmann::json config() const override;

 private:
  std::int64_t filters_;
  int kernel_size_;
  Conv2DOptions options_;
  Activation activation_;
  bool same_ = false;
  Variable kernel_, bias_;
};

}  // namespace descent
