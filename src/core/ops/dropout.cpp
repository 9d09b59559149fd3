#include "core/ops/dropout.h"

#include <memory>
#include <utility>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/elementwise.h"

namespace descent {

Variable dropout(const Variable& x, float rate, bool training, Rng& rng) {
  if (!(rate >= 0.0f && rate < 1.0f))
    throw InvalidArgument(fmt::format("dropout: rate must be in [0, 1), got {}", rate));
  if (!training || rate == 0.0f) return x;

  // The mask holds 0 or 1 / (1 - rate) per value, the same for a seed on every device.
  const CopyKernels& kernels = backend_of(x.value()).copy;
  Tensor mask;
  mask.resize(x.shape(), DType::f32, x.value().device());
  kernels.dropout_mask(rng, rate, 1.0f / (1.0f - rate), mask);
  if (x.dtype() != DType::f32)  // the same mask, applied as a product of the graph
    return mul(x, Variable(mask.to(x.dtype())));

  Variable y = Variable::result(x.shape(), {x}, "dropout");
  kernels.apply_mask(x.value(), mask, y.value());
  if (y.needs_grad()) {
    auto shared = std::make_shared<const Tensor>(std::move(mask));
    y.set_backward([shared](Node& self) {
      Node& in = *self.inputs[0];
      if (!in.requires_grad) return;
      backend_of(self.value).copy.apply_mask_grad(self.grad, *shared, in.grad_out());
    });
    y.set_grad_rule([shared](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {mul(grad, Variable(*shared))};
    });
  }
  return y;
}

}  // namespace descent
