// MaxPool2D: the maximum of each pool_size × pool_size window (stride defaults to pool_size).
#pragma once

#include "nn/pooling2d.h"

namespace descent {

class MaxPool2D : public Pooling2D {
 public:
  explicit MaxPool2D(int pool_size = 2, int stride = 0)
      : Pooling2D("MaxPool2D", pool_size, stride) {}

  std::string type() const override { return "MaxPool2D"; }
  Variable forward(const Variable& x, bool training) override;
};

}  // namespace descent
