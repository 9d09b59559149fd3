#include "core/ops/reduce.h"

#include <algorithm>

namespace descent {
namespace {

// Sums in double so the result does not depend on the order a parallel loop would choose.
Variable scaled_sum(const Variable& x, float scale, const char* op) {
  Variable y = Variable::result({1}, {x}, op);
  double total = 0.0;
  for (float v : x.value().values())
    total += v;
  y.value()[0] = static_cast<float>(total * scale);
  if (y.needs_grad()) {
    y.set_backward([scale](Node& self) {
      Node& in = *self.inputs[0];
      const float g = self.grad[0] * scale;
      bool accumulate = false;
      Tensor& dx = in.grad_for_write(accumulate);
      if (accumulate)
        for (float& v : dx.values())
          v += g;
      else
        dx.fill(g);
    });
  }
  return y;
}

}  // namespace

Variable sum(const Variable& x) {
  return scaled_sum(x, 1.0f, "sum");
}

Variable mean(const Variable& x) {
  return scaled_sum(x, 1.0f / static_cast<float>(std::max<std::int64_t>(1, x.value().size())),
                    "mean");
}

}  // namespace descent
