#include "core/ops/softmax.h"

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/axes.h"
#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"

namespace descent {
namespace {

// The gradient over `axis` with differentiable operations.
template <bool kLog>
GradRule softmax_rule(int axis) {
  return [axis](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    Shape row_sums = self.shape();
    row_sums[axis] = 1;
    const auto over_rows = [&](const Variable& v) {
      return broadcast_to(sum_to(v, row_sums), self.shape());
    };
    if constexpr (kLog)  // dx = dy − softmax · Σ dy
      return {sub(grad, mul(exp(self), over_rows(grad)))};
    else  // dx = y · (dy − Σ dy · y)
      return {mul(self, sub(grad, over_rows(mul(grad, self))))};
  };
}

// The gradient of y = softmax(x) over `axis`, raw (float32) and as a rule. A causal softmax has
// the same: its masked weights are 0, so their gradient is too.
template <bool kLog>
Variable with_softmax_gradient(Variable y, int axis) {
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32) {
    y.set_backward([axis](Node& self) {
      Node& in = *self.inputs[0];
      if (!in.requires_grad) return;
      backend_of(self.value).softmax.softmax_grad(kLog, self.value, self.grad, axis, in.grad_out());
    });
  }
  y.set_grad_rule(softmax_rule<kLog>(axis));
  return y;
}

// Over `axis` (normalized, holding values).
template <bool kLog>
Variable softmax_over(const Variable& x, int axis, const char* op) {
  Variable y = Variable::result(x.shape(), {x}, op);
  backend_of(y.value()).softmax.softmax(kLog, x.value(), axis, y.value());
  return with_softmax_gradient<kLog>(std::move(y), axis);
}

// The last axis, which must hold values.
int last_axis(const Variable& x, const char* op) {
  if (x.value().rank() == 0 || x.shape().back() == 0)
    throw InvalidArgument(fmt::format("{}: needs a last axis with values, got shape {}", op,
                                      shape_string(x.shape())));
  return x.value().rank() - 1;
}

template <bool kLog>
Variable softmax_along(const Variable& x, int axis, const char* op) {
  const Shape& shape = x.shape();
  const int a = detail::normalize_axis(axis, shape.size(), shape, op);
  if (a == x.value().rank() - 1) return softmax_over<kLog>(x, last_axis(x, op), op);
  if (shape[a] == 0)
    throw InvalidArgument(
        fmt::format("{}: axis {} of shape {} holds no values", op, a, shape_string(shape)));
  return softmax_over<kLog>(x, a, op);
}

}  // namespace

Variable softmax(const Variable& x) {
  return softmax_over<false>(x, last_axis(x, "softmax"), "softmax");
}

Variable log_softmax(const Variable& x) {
  return softmax_over<true>(x, last_axis(x, "log_softmax"), "log_softmax");
}

Variable softmax(const Variable& x, int axis) {
  return softmax_along<false>(x, axis, "softmax");
}

Variable log_softmax(const Variable& x, int axis) {
  return softmax_along<true>(x, axis, "log_softmax");
}

Variable causal_softmax(const Variable& scores) {
  if (scores.shape().size() < 2 || scores.shape().back() == 0)
    throw InvalidArgument(
        fmt::format("causal_softmax: needs scores of shape (…, queries, keys) with keys, got {}",
                    shape_string(scores.shape())));
  Variable y = Variable::result(scores.shape(), {scores}, "causal_softmax");
  backend_of(y.value()).softmax.causal_softmax(scores.value(), y.value());
  return with_softmax_gradient<false>(std::move(y), scores.value().rank() - 1);
}

}  // namespace descent
