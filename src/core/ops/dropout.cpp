#include "core/ops/dropout.h"

#include <memory>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/elementwise.h"
#include "core/parallel.h"

namespace descent {

Variable dropout(const Variable& x, float rate, bool training, Rng& rng) {
  if (!(rate >= 0.0f && rate < 1.0f))
    throw InvalidArgument(fmt::format("dropout: rate must be in [0, 1), got {}", rate));
  if (!training || rate == 0.0f) return x;

  // The mask holds 0 or 1 / (1 - rate) per value; drawn serially so a seed fixes it exactly.
  const float scale = 1.0f / (1.0f - rate);
  const std::int64_t n = x.value().size();
  Tensor mask(x.shape());
  for (std::int64_t i = 0; i < n; ++i)
    mask[i] = rng.uniform() < rate ? 0.0f : scale;
  if (x.dtype() != DType::f32)  // the same mask, applied as a product of the graph
    return mul(x, Variable(mask.to(x.dtype())));

  Variable y = Variable::result(x.shape(), {x}, "dropout");
  const float* xv = x.value().data();
  const float* m = mask.data();
  float* yv = y.value().data();
  parallel_for(n, n, [=](std::int64_t i) { yv[i] = xv[i] * m[i]; });
  if (y.needs_grad()) {
    auto shared = std::make_shared<const Tensor>(std::move(mask));
    y.set_backward([shared](Node& self) {
      const Tensor& mask = *shared;
      Node& in = *self.inputs[0];
      if (!in.requires_grad) return;
      bool accumulate = false;
      float* dx = in.grad_for_write(accumulate).data();
      const float* dy = self.grad.data();
      const float* m = mask.data();
      const std::int64_t size = mask.size();
      if (accumulate)
        parallel_for(size, size, [=](std::int64_t i) { dx[i] += dy[i] * m[i]; });
      else
        parallel_for(size, size, [=](std::int64_t i) { dx[i] = dy[i] * m[i]; });
    });
    y.set_grad_rule([shared](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {mul(grad, Variable(*shared))};
    });
  }
  return y;
}

}  // namespace descent
