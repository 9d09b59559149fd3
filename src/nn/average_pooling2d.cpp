#include "nn/average_pooling2d.h"

#include "core/ops/pool.h"

namespace descent {

Variable AveragePooling2D::forward(const Variable& x, bool /*training*/) {
  return avg_pool2d(x, pool_size_, stride_);
}

}  // namespace descent
