// MaxPool2D: the maximum of each pool_size × pool_size window (stride defaults to pool_size).
#pragma once

#include "nn/layer.h"

namespace descent {

class MaxPool2D : public Layer {
 public:
  explicit MaxPool2D(int pool_size = 2, int stride = 0);

  std::string type() const override { return "MaxPool2D"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  nlohmann::json config() const override;

 private:
  int pool_size_, stride_;
};

}  // namespace descent
