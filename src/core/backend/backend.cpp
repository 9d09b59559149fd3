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
  };
  static const Backend reference{
      .name = "reference",
      .elementwise = reference_elementwise(),
      .reduce = reference_reduce(),
      .softmax = reference_softmax(),
  };
  return device == Device::cpu ? cpu : reference;
}

}  // namespace descent
