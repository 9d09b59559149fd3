// AveragePooling2D: the mean of each pool_size × pool_size window (stride defaults to pool_size;
// padding "valid" only, as MaxPool2D).
#pragma once

#include "nn/layer.h"

namespace descent {

class AveragePooling2D : public Layer {
 public:
  explicit AveragePooling2D(int pool_size = 2, int stride = 0);

  std::string type() const override { return "AveragePooling2D"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  nlohmann::json config() const override;

 private:
  int pool_size_, stride_;
};

}  // namespace descent
