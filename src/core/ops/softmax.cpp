#include "core/ops/softmax.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/axes.h"
#include "core/ops/broadcast.h"
#include "core/ops/elementwise.h"
#include "core/parallel.h"

namespace descent {
namespace {

// Splits x into rows along the last axis.
void rows_of(const Variable& x, const char* op, std::int64_t& rows, std::int64_t& cols) {
  if (x.value().rank() == 0 || x.shape().back() == 0)
    throw InvalidArgument(fmt::format("{}: needs a last axis with values, got shape {}", op,
                                      shape_string(x.shape())));
  cols = x.shape().back();
  rows = x.value().size() / cols;
}

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

template <bool kLog>
Variable softmax_over_rows(const Variable& x, const char* op) {
  std::int64_t rows = 0, cols = 0;
  rows_of(x, op, rows, cols);
  Variable y = Variable::result(x.shape(), {x}, op);
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.value().data<T>();
    T* yv = y.value().data<T>();
    parallel_for(rows, rows * cols, [=](std::int64_t r) {
      const T* in = xv + r * cols;
      T* out = yv + r * cols;
      const T top = *std::max_element(in, in + cols);
      T total = 0;
      for (std::int64_t j = 0; j < cols; ++j) {
        out[j] = std::exp(in[j] - top);
        total += out[j];
      }
      if constexpr (kLog) {
        // (x - m) is exact near m; adding m back to log Σ first would round at m's magnitude.
        const T log_total = std::log(total);
        for (std::int64_t j = 0; j < cols; ++j)
          out[j] = (in[j] - top) - log_total;
      } else {
        const T inv = T{1} / total;
        for (std::int64_t j = 0; j < cols; ++j)
          out[j] *= inv;
      }
    });
  });
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32) {
    y.set_backward([](Node& self) {
      Node& in = *self.inputs[0];
      if (!in.requires_grad) return;
      const std::int64_t cols = self.value.dim(-1), rows = self.value.size() / cols;
      bool accumulate = false;
      float* dx = in.grad_for_write(accumulate).data();
      const float* yv = self.value.data();
      const float* dy = self.grad.data();
      parallel_for(rows, rows * cols, [=](std::int64_t r) {
        const float* y = yv + r * cols;
        const float* g = dy + r * cols;
        float* d = dx + r * cols;
        float dot = 0.0f;
        if constexpr (kLog) {
          // dx = dy - softmax · Σ dy
          for (std::int64_t j = 0; j < cols; ++j)
            dot += g[j];
          for (std::int64_t j = 0; j < cols; ++j) {
            const float v = g[j] - std::exp(y[j]) * dot;
            d[j] = accumulate ? d[j] + v : v;
          }
        } else {
          // dx = y · (dy - Σ dy · y)
          for (std::int64_t j = 0; j < cols; ++j)
            dot += g[j] * y[j];
          for (std::int64_t j = 0; j < cols; ++j) {
            const float v = y[j] * (g[j] - dot);
            d[j] = accumulate ? d[j] + v : v;
          }
        }
      });
    });
  }
  y.set_grad_rule(softmax_rule<kLog>(x.value().rank() - 1));
  return y;
}

// Over an axis that is not the last: x as (outer, n, inner), each of the outer · inner rows read
// with stride `inner`.
template <bool kLog>
Variable softmax_over_axis(const Variable& x, int axis, const char* op) {
  const Shape& shape = x.shape();
  if (shape[axis] == 0)
    throw InvalidArgument(
        fmt::format("{}: axis {} of shape {} holds no values", op, axis, shape_string(shape)));
  std::int64_t outer = 1, inner = 1;
  for (int k = 0; k < axis; ++k)
    outer *= shape[k];
  for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < shape.size(); ++k)
    inner *= shape[k];
  const std::int64_t n = shape[axis];
  Variable y = Variable::result(shape, {x}, op);
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.value().data<T>();
    T* yv = y.value().data<T>();
    parallel_for(outer * inner, outer * inner * n, [=](std::int64_t row) {
      const std::int64_t first = (row / inner) * n * inner + row % inner;
      const T* in = xv + first;
      T* out = yv + first;
      T top = in[0];
      for (std::int64_t j = 1; j < n; ++j)
        top = std::max(top, in[j * inner]);
      T total = 0;
      for (std::int64_t j = 0; j < n; ++j) {
        out[j * inner] = std::exp(in[j * inner] - top);
        total += out[j * inner];
      }
      if constexpr (kLog) {
        const T log_total = std::log(total);
        for (std::int64_t j = 0; j < n; ++j)
          out[j * inner] = (in[j * inner] - top) - log_total;
      } else {
        const T inv = T{1} / total;
        for (std::int64_t j = 0; j < n; ++j)
          out[j * inner] *= inv;
      }
    });
  });
  if (y.needs_grad()) y.set_grad_rule(softmax_rule<kLog>(axis));
  return y;
}

template <bool kLog>
Variable softmax_along(const Variable& x, int axis, const char* op) {
  const int a = detail::normalize_axis(axis, x.shape().size(), x.shape(), op);
  if (a == x.value().rank() - 1) return softmax_over_rows<kLog>(x, op);
  return softmax_over_axis<kLog>(x, a, op);
}

}  // namespace

Variable softmax(const Variable& x) {
  return softmax_over_rows<false>(x, "softmax");
}

Variable log_softmax(const Variable& x) {
  return softmax_over_rows<true>(x, "log_softmax");
}

Variable softmax(const Variable& x, int axis) {
  return softmax_along<false>(x, axis, "softmax");
}

Variable log_softmax(const Variable& x, int axis) {
  return softmax_along<true>(x, axis, "log_softmax");
}

}  // namespace descent
