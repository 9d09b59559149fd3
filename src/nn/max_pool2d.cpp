#include "nn/max_pool2d.h"

#include "core/ops/pool.h"

namespace descent {

Variable MaxPool2D::forward(const Variable& x, bool /*training*/) {
  return max_pool2d(x, pool_size_, stride_);
}

}  // namespace descent
