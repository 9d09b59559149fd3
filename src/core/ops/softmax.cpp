#include "core/ops/softmax.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
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
  y.set_grad_rule([](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    Shape row_sums = self.shape();
    row_sums.back() = 1;
    const auto over_rows = [&](const Variable& v) {
      return broadcast_to(sum_to(v, row_sums), self.shape());
    };
    if constexpr (kLog)  // dx = dy − softmax · Σ dy
      return {sub(grad, mul(exp(self), over_rows(grad)))};
    else  // dx = y · (dy − Σ dy · y)
      return {mul(self, sub(grad, over_rows(mul(grad, self))))};
  });
  return y;
}

}  // namespace

Variable softmax(const Variable& x) {
  return softmax_over_rows<false>(x, "softmax");
}

Variable log_softmax(const Variable& x) {
  return softmax_over_rows<true>(x, "log_softmax");
}

}  // namespace descent
