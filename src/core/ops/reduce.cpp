#include "core/ops/reduce.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/axes.h"
#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"
#include "core/ops/view.h"

namespace descent {
namespace {

// The sum of all values divided by `divisor` (1: the sum; the count: the mean).
Variable scaled_sum(const Variable& x, std::int64_t divisor, const char* op) {
  Variable y = Variable::result({1}, {x}, op);
  backend_of(y.value()).reduce.sum_all(x.value(), divisor, y.value());
  if (!y.needs_grad()) return y;
  if (x.dtype() == DType::f32) {
    y.set_backward([divisor](Node& self) {
      Node& in = *self.inputs[0];
      backend_of(self.value).reduce.sum_all_grad(self.grad, divisor, in.grad_out());
    });
  }
  const double scale = 1.0 / static_cast<double>(divisor);
  y.set_grad_rule([scale](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    return {broadcast_to(mul(grad, scale), self.input(0).shape())};
  });
  return y;
}

Variable reduce_axes(const Variable& x, const Reduction& r, const char* op, ReduceFunction f) {
  Variable y = Variable::result(r.result, {x}, op);
  backend_of(y.value()).reduce.reduce(f, x.value(), r, y.value());
  return y;
}

// A gradient of the result's shape, repeated back over the reduced axes to the input's shape.
Variable spread(const Variable& grad, const Reduction& r, const Shape& shape) {
  return broadcast_to(grad.shape() == r.kept ? grad : reshape(grad, r.kept), shape);
}

template <bool kMax>
Variable extreme(const Variable& x, const Axes& axes, bool keepdims, const char* op) {
  const Reduction r = detail::reduction(x.shape(), axes, keepdims, op);
  if (r.count == 0 && shape_size(r.kept) > 0)
    throw InvalidArgument(
        fmt::format("{}: cannot reduce an empty axis of shape {}", op, shape_string(x.shape())));
  Variable y = reduce_axes(x, r, op, {kMax ? ReduceOp::max : ReduceOp::min});
  if (y.needs_grad())
    y.set_grad_rule([r](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      const Variable x = self.input(0);
      Tensor shares = Tensor::zeros_like(x.value());
      backend_of(shares).reduce.tie_shares(x.value(), self.value(), r, shares);
      return {mul(spread(grad, r, x.shape()), Variable(std::move(shares)))};
    });
  return y;
}

}  // namespace

Variable sum(const Variable& x) {
  return scaled_sum(x, 1, "sum");
}

Variable mean(const Variable& x) {
  return scaled_sum(x, std::max<std::int64_t>(1, x.value().size()), "mean");
}

Variable sum(const Variable& x, const Axes& axes, bool keepdims) {
  const Reduction r = detail::reduction(x.shape(), axes, keepdims, "sum");
  Variable y = reduce_axes(x, r, "sum", {ReduceOp::sum});
  if (y.needs_grad())
    y.set_grad_rule([r](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      return {spread(grad, r, self.input(0).shape())};
    });
  return y;
}

Variable mean(const Variable& x, const Axes& axes, bool keepdims) {
  const Reduction r = detail::reduction(x.shape(), axes, keepdims, "mean");
  const double n = static_cast<double>(r.count);
  Variable y = reduce_axes(x, r, "mean", {ReduceOp::mean});
  if (y.needs_grad())
    y.set_grad_rule([r, n](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      return {spread(mul(grad, 1.0 / n), r, self.input(0).shape())};
    });
  return y;
}

Variable max(const Variable& x, const Axes& axes, bool keepdims) {
  return extreme<true>(x, axes, keepdims, "max");
}

Variable min(const Variable& x, const Axes& axes, bool keepdims) {
  return extreme<false>(x, axes, keepdims, "min");
}

Variable variance(const Variable& x, const Axes& axes, VarianceOptions options) {
  const Reduction r = detail::reduction(x.shape(), axes, options.keepdims, "variance");
  const std::int64_t divisor = r.count - options.correction;
  if (divisor <= 0 && shape_size(r.kept) > 0)
    throw InvalidArgument(
        fmt::format("variance: {} values per result (shape {}) with correction {}", r.count,
                    shape_string(x.shape()), options.correction));
  Variable y = reduce_axes(x, r, "variance", {ReduceOp::variance, options.correction});
  if (y.needs_grad())
    y.set_grad_rule([r, divisor](const Variable& self,
                                 const Variable& grad) -> std::vector<Variable> {
      // d/dx Σ (x - mean)² / divisor = 2 (x - mean) / divisor; the mean's own term sums to zero.
      const Variable x = self.input(0);
      const Variable centered = sub(x, broadcast_to(mean(x, r.axes, true), x.shape()));
      return {mul(spread(grad, r, x.shape()), mul(centered, 2.0 / static_cast<double>(divisor)))};
    });
  return y;
}

Variable logsumexp(const Variable& x, const Axes& axes, bool keepdims) {
  const Reduction r = detail::reduction(x.shape(), axes, keepdims, "logsumexp");
  Variable y = reduce_axes(x, r, "logsumexp", {ReduceOp::logsumexp});
  if (y.needs_grad())
    y.set_grad_rule([r](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      // The gradient is the softmax over the axes, exp(x - logsumexp).
      const Variable x = self.input(0);
      return {mul(spread(grad, r, x.shape()), exp(sub(x, spread(self, r, x.shape()))))};
    });
  return y;
}

}  // namespace descent
