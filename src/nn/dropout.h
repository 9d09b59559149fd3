// Dropout: during training, zeroes each value with probability `rate` and scales the others by
// 1/(1 - rate) (inverted dropout, as Keras and PyTorch); the identity at inference.
#pragma once

#include "nn/layer.h"

namespace descent {

class Dropout : public Layer {
 public:
  explicit Dropout(float rate);

  std::string type() const override { return "Dropout"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  Variable forward(const Variable& x, bool training) override;
  nlohmann::json config() const override;
  // Drawn from the model's stream at build.
  Rng* random_stream() override { return &rng_; }

 private:
  float rate_;
  Rng rng_;
};

}  // namespace descent
