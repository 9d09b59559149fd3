#include "core/ops/reduce.h"

#include <algorithm>
#include <type_traits>

#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"

namespace descent {
namespace {

// Sums in double so the result does not depend on the order a parallel loop would choose.
// `scale` multiplies a float64 sum; float32 multiplies by `scale32`, its float32 form.
Variable scaled_sum(const Variable& x, double scale, float scale32, const char* op) {
  Variable y = Variable::result({1}, {x}, op);
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* v = x.value().data<T>();
    double total = 0.0;
    for (std::int64_t i = 0; i < x.value().size(); ++i)
      total += v[i];
    if constexpr (std::is_same_v<T, float>)
      y.value().data<T>()[0] = static_cast<T>(total * scale32);
    else
      y.value().data<T>()[0] = total * scale;
  });
  if (!y.needs_grad()) return y;
  if (x.dtype() == DType::f32) {
    y.set_backward([scale32](Node& self) {
      Node& in = *self.inputs[0];
      const float g = self.grad[0] * scale32;
      bool accumulate = false;
      Tensor& dx = in.grad_for_write(accumulate);
      if (accumulate)
        for (float& v : dx.values())
          v += g;
      else
        dx.fill(g);
    });
  }
  y.set_grad_rule([scale](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    return {broadcast_to(mul(grad, scale), self.input(0).shape())};
  });
  return y;
}

}  // namespace

Variable sum(const Variable& x) {
  return scaled_sum(x, 1.0, 1.0f, "sum");
}

Variable mean(const Variable& x) {
  const std::int64_t n = std::max<std::int64_t>(1, x.value().size());
  return scaled_sum(x, 1.0 / static_cast<double>(n), 1.0f / static_cast<float>(n), "mean");
}

}  // namespace descent
