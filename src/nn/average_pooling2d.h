// AveragePooling2D: the mean of each pool_size × pool_size window (stride defaults to pool_size;
// padding "valid" only, as MaxPool2D).
#pragma once

#include "nn/pooling2d.h"

namespace descent {

class AveragePooling2D : public Pooling2D {
 public:
  explicit AveragePooling2D(int pool_size = 2, int stride = 0)
      : Pooling2D("AveragePooling2D", pool_size, stride) {}

  std::string type() const override { return "AveragePooling2D"; }
  Variable forward(const Variable& x, bool training) override;
};

}  // namespace descent
