// The cpu softmax kernels: one row per loop iteration, split across threads. The last axis has a
// contiguous loop; any other reads its rows with a stride.
#include <algorithm>
#include <cmath>

#include "core/backend/cpu/cpu_backend.h"
#include "core/backend/cpu/fast_math.h"
#include "core/backend/cpu/lane_sum.h"
#include "core/parallel.h"

namespace descent {
namespace {

// x as (outer, n, inner) around `axis`: outer · inner rows of n values, `inner` apart.
struct RowLayout {
  std::int64_t outer = 1, n = 1, inner = 1;
};

RowLayout row_layout(const Shape& shape, int axis) {
  RowLayout l;
  for (int k = 0; k < axis; ++k)
    l.outer *= shape[k];
  for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < shape.size(); ++k)
    l.inner *= shape[k];
  l.n = shape[axis];
  return l;
}

// kCausal: the rows are (…, queries, keys) and query t reads keys s <= t only; the others get 0.
template <bool kLog, bool kCausal = false>
void softmax_rows(const Tensor& x, Tensor& y) {
  static_assert(!(kLog && kCausal), "a causal log-softmax would fill -inf, not 0");
  const std::int64_t cols = x.shape().back(), rows = x.size() / cols;
  const std::int64_t queries = kCausal ? x.shape()[x.shape().size() - 2] : 1;
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.data<T>();
    T* yv = y.data<T>();
    parallel_for(rows, rows * cols, [=](std::int64_t r) {
      const T* in = xv + r * cols;
      T* out = yv + r * cols;
      const std::int64_t seen = kCausal ? std::min(r % queries + 1, cols) : cols;
      std::fill(out + seen, out + cols, T{0});
      const T top = *std::max_element(in, in + seen);
      for (std::int64_t j = 0; j < seen; ++j)
        out[j] = cpu::exp(in[j] - top);
      const T total =
          static_cast<T>(cpu::lane_sum<T>(seen, [out](std::int64_t j) { return out[j]; }));
      if constexpr (kLog) {
        // (x - m) is exact near m; adding m back to log Σ first would round at m's magnitude.
        const T log_total = std::log(total);
        for (std::int64_t j = 0; j < cols; ++j)
          out[j] = (in[j] - top) - log_total;
      } else {
        const T inv = T{1} / total;
        for (std::int64_t j = 0; j < seen; ++j)
          out[j] *= inv;
      }
    });
  });
}

template <bool kLog>
void softmax_strided(const Tensor& x, int axis, Tensor& y) {
  const RowLayout l = row_layout(x.shape(), axis);
  const std::int64_t outer = l.outer, n = l.n, inner = l.inner;
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.data<T>();
    T* yv = y.data<T>();
    parallel_for(outer * inner, outer * inner * n, [=](std::int64_t row) {
      const std::int64_t first = (row / inner) * n * inner + row % inner;
      const T* in = xv + first;
      T* out = yv + first;
      T top = in[0];
      for (std::int64_t j = 1; j < n; ++j)
        top = std::max(top, in[j * inner]);
      T total = 0;
      for (std::int64_t j = 0; j < n; ++j) {
        out[j * inner] = cpu::exp(in[j * inner] - top);
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
}

template <bool kLog>
void softmax_grad_rows(const Tensor& yt, const Tensor& dy, GradOut dx) {
  const std::int64_t cols = yt.shape().back(), rows = yt.size() / cols;
  visit_dtype(yt.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* yv = yt.data<T>();
    const T* dyv = dy.data<T>();
    write_grad<T>(dx, [&](auto store) {
      parallel_for(rows, rows * cols, [=](std::int64_t r) {
        const T* y = yv + r * cols;
        const T* g = dyv + r * cols;
        T dot = 0;
        if constexpr (kLog) {
          // dx = dy - softmax · Σ dy
          for (std::int64_t j = 0; j < cols; ++j)
            dot += g[j];
          for (std::int64_t j = 0; j < cols; ++j)
            store(r * cols + j, g[j] - cpu::exp(y[j]) * dot);
        } else {
          // dx = y · (dy - Σ dy · y)
          for (std::int64_t j = 0; j < cols; ++j)
            dot += g[j] * y[j];
          for (std::int64_t j = 0; j < cols; ++j)
            store(r * cols + j, y[j] * (g[j] - dot));
        }
      });
    });
  });
}

template <bool kLog>
void softmax_grad_strided(const Tensor& yt, const Tensor& dy, int axis, GradOut dx) {
  const RowLayout l = row_layout(yt.shape(), axis);
  const std::int64_t outer = l.outer, n = l.n, inner = l.inner;
  visit_dtype(yt.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* yv = yt.data<T>();
    const T* dyv = dy.data<T>();
    write_grad<T>(dx, [&](auto store) {
      parallel_for(outer * inner, outer * inner * n, [=](std::int64_t row) {
        const std::int64_t first = (row / inner) * n * inner + row % inner;
        const T* y = yv + first;
        const T* g = dyv + first;
        T dot = 0;
        if constexpr (kLog) {
          for (std::int64_t j = 0; j < n; ++j)
            dot += g[j * inner];
          for (std::int64_t j = 0; j < n; ++j)
            store(first + j * inner, g[j * inner] - cpu::exp(y[j * inner]) * dot);
        } else {
          for (std::int64_t j = 0; j < n; ++j)
            dot += g[j * inner] * y[j * inner];
          for (std::int64_t j = 0; j < n; ++j)
            store(first + j * inner, y[j * inner] * (g[j * inner] - dot));
        }
      });
    });
  });
}

class CpuSoftmax final : public SoftmaxKernels {
 public:
  void softmax(bool log, const Tensor& x, int axis, Tensor& y) const override {
    const bool last = axis == x.rank() - 1;
    if (log)
      last ? softmax_rows<true>(x, y) : softmax_strided<true>(x, axis, y);
    else
      last ? softmax_rows<false>(x, y) : softmax_strided<false>(x, axis, y);
  }

  void causal_softmax(const Tensor& x, Tensor& y) const override {
    softmax_rows<false, true>(x, y);
  }

  void softmax_grad(bool log, const Tensor& y, const Tensor& dy, int axis,
                    GradOut dx) const override {
    const bool last = axis == y.rank() - 1;
    if (log)
      last ? softmax_grad_rows<true>(y, dy, dx) : softmax_grad_strided<true>(y, dy, axis, dx);
    else
      last ? softmax_grad_rows<false>(y, dy, dx) : softmax_grad_strided<false>(y, dy, axis, dx);
  }
};

}  // namespace

const SoftmaxKernels& cpu_softmax() {
  static const CpuSoftmax kernels;
  return kernels;
}

}  // namespace descent
