#include "core/backend/backend.h"

#include "core/backend/cpu/cpu_backend.h"
#include "core/backend/reference/reference_backend.h"

namespace descent {

const Backend& backend(Device device) {
  static const Backend cpu{
      .name = "cpu",
      .elementwise = cpu_elementwise(),
      .reduce = cpu_reduce(),
      .softmax = cpu_softmax(),
      .loss = cpu_loss(),
      .index = cpu_index(),
      .copy = cpu_copy(),
      .gemm = cpu_gemm(),
      .conv = cpu_conv(),
      .pool = cpu_pool(),
      .norm = cpu_norm(),
  };
  static const Backend reference{
      .name = "reference",
      .elementwise = reference_elementwise(),
      .reduce = reference_reduce(),
      .softmax = reference_softmax(),
      .loss = reference_loss(),
      .index = reference_index(),
      .copy = reference_copy(),
      .gemm = reference_gemm(),
      .conv = reference_conv(),
      .pool = reference_pool(),
      .norm = reference_norm(),
  };
  return device == Device::cpu ? cpu : reference;
}

}  // namespace descent
