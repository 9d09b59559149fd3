#include "core/ops/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/axes.h"
#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"
#include "core/ops/shape.h"

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

// Sum of the `count` values v[at[i]], in double.
template <class T>
double total(const T* v, const std::int64_t* at, std::int64_t count) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < count; ++i)
    sum += v[at[i]];
  return sum;
}

// A result of r.result's shape whose value o is reduce(first, r.reduced_offsets, r.count), first
// pointing at o's first input value.
template <class Reduce>
Variable reduce_axes(const Variable& x, const detail::Reduction& r, const char* op, Reduce reduce) {
  Variable y = Variable::result(r.result, {x}, op);
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.value().data<T>();
    T* yv = y.value().data<T>();
    detail::for_each_reduced(r, [&](std::int64_t o, std::int64_t first) {
      yv[o] = static_cast<T>(reduce(xv + first, r.reduced_offsets.data(), r.count));
    });
  });
  return y;
}

// A gradient of the result's shape, repeated back over the reduced axes to the input's shape.
Variable spread(const Variable& grad, const detail::Reduction& r, const Shape& shape) {
  return broadcast_to(grad.shape() == r.kept ? grad : reshape(grad, r.kept), shape);
}

// The share of the gradient of each input value: 1/ties where it ties for its result's extreme
// `y`, else 0.
Tensor tie_shares(const Tensor& x, const Tensor& y, const detail::Reduction& r) {
  Tensor share(x.shape(), x.dtype(), 0.0);
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.data<T>();
    const T* yv = y.data<T>();
    T* sv = share.data<T>();
    detail::for_each_reduced(r, [&](std::int64_t o, std::int64_t first) {
      std::int64_t ties = 0;
      for (std::int64_t off : r.reduced_offsets)
        ties += xv[first + off] == yv[o];
      for (std::int64_t off : r.reduced_offsets)
        if (xv[first + off] == yv[o]) sv[first + off] = T{1} / static_cast<T>(ties);
    });
  });
  return share;
}

template <bool kMax>
Variable extreme(const Variable& x, const Axes& axes, bool keepdims, const char* op) {
  const detail::Reduction r = detail::reduction(x.shape(), axes, keepdims, op);
  if (r.count == 0 && shape_size(r.kept) > 0)
    throw InvalidArgument(
        fmt::format("{}: cannot reduce an empty axis of shape {}", op, shape_string(x.shape())));
  Variable y = reduce_axes(x, r, op, [](const auto* v, const std::int64_t* at, std::int64_t n) {
    auto best = v[at[0]];
    for (std::int64_t i = 1; i < n && !std::isnan(best); ++i) {
      const auto value = v[at[i]];
      if (kMax ? !(value <= best) : !(value >= best)) best = value;  // a NaN replaces best
    }
    return best;
  });
  if (y.needs_grad())
    y.set_grad_rule([r](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      const Variable x = self.input(0);
      return {mul(spread(grad, r, x.shape()), Variable(tie_shares(x.value(), self.value(), r)))};
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

Variable sum(const Variable& x, const Axes& axes, bool keepdims) {
  const detail::Reduction r = detail::reduction(x.shape(), axes, keepdims, "sum");
  Variable y = reduce_axes(x, r, "sum", [](const auto* v, const std::int64_t* at, std::int64_t n) {
    return total(v, at, n);
  });
  if (y.needs_grad())
    y.set_grad_rule([r](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      return {spread(grad, r, self.input(0).shape())};
    });
  return y;
}

Variable mean(const Variable& x, const Axes& axes, bool keepdims) {
  const detail::Reduction r = detail::reduction(x.shape(), axes, keepdims, "mean");
  const double n = static_cast<double>(r.count);
  Variable y =
      reduce_axes(x, r, "mean", [n](const auto* v, const std::int64_t* at, std::int64_t count) {
        return total(v, at, count) / n;
      });
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
  const detail::Reduction r = detail::reduction(x.shape(), axes, options.keepdims, "variance");
  const std::int64_t divisor = r.count - options.correction;
  if (divisor <= 0 && shape_size(r.kept) > 0)
    throw InvalidArgument(
        fmt::format("variance: {} values per result (shape {}) with correction {}", r.count,
                    shape_string(x.shape()), options.correction));
  Variable y = reduce_axes(x, r, "variance",
                           [divisor](const auto* v, const std::int64_t* at, std::int64_t n) {
                             const double mean = total(v, at, n) / static_cast<double>(n);
                             double squares = 0.0;
                             for (std::int64_t i = 0; i < n; ++i) {
                               const double d = v[at[i]] - mean;
                               squares += d * d;
                             }
                             return squares / static_cast<double>(divisor);
                           });
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
  const detail::Reduction r = detail::reduction(x.shape(), axes, keepdims, "logsumexp");
  Variable y =
      reduce_axes(x, r, "logsumexp", [](const auto* v, const std::int64_t* at, std::int64_t n) {
        using T = std::remove_cvref_t<decltype(*v)>;
        T top = -std::numeric_limits<T>::infinity();
        for (std::int64_t i = 0; i < n; ++i)
          top = std::max(top, v[at[i]]);
        // All -inf (or an inf): shifting by it would give inf - inf.
        const T shift = std::isfinite(top) ? top : T{0};
        T sum = 0;
        for (std::int64_t i = 0; i < n; ++i)
          sum += std::exp(v[at[i]] - shift);
        return shift + std::log(sum);
      });
  if (y.needs_grad())
    y.set_grad_rule([r](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      // The gradient is the softmax over the axes, exp(x - logsumexp).
      const Variable x = self.input(0);
      return {mul(spread(grad, r, x.shape()), exp(sub(x, spread(self, r, x.shape()))))};
    });
  return y;
}

}  // namespace descent
