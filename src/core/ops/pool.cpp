#include "core/ops/pool.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"

namespace descent {
namespace {

struct Window {
  std::int64_t planes, in_h, in_w, out_h, out_w, size, stride;
};

// The maximum of each window of output row `oy` into top[ox] and, when kWhere, its index in the
// plane into at[ox]: the first on ties, NaN wins (as in PyTorch). The window is scanned in the
// same order for every column, so the loop over the row's columns vectorizes.
template <bool kWhere, class T>
void row_max(const T* plane, const Window& g, std::int64_t oy, T* top, std::int64_t* at) {
  const std::int64_t y0 = oy * g.stride;
  for (std::int64_t ox = 0; ox < g.out_w; ++ox) {
    top[ox] = plane[y0 * g.in_w + ox * g.stride];
    if constexpr (kWhere) at[ox] = y0 * g.in_w + ox * g.stride;
  }
  for (std::int64_t i = 0; i < g.size; ++i)
    for (std::int64_t j = i == 0 ? 1 : 0; j < g.size; ++j) {
      const std::int64_t first = (y0 + i) * g.in_w + j;
      for (std::int64_t ox = 0; ox < g.out_w; ++ox) {
        const T v = plane[first + ox * g.stride];
        const bool better = v > top[ox] || (v != v && top[ox] == top[ox]);
        top[ox] = better ? v : top[ox];
        if constexpr (kWhere) at[ox] = better ? first + ox * g.stride : at[ox];
      }
    }
}

// Calls f(p, in_index, out_index) for each output value of each plane p, with the index in the
// plane of its window's maximum.
template <class T, class F>
void for_each_argmax(const T* xv, const Window& g, F f) {
  const std::int64_t in_plane = g.in_h * g.in_w;
  std::vector<T> top(static_cast<std::size_t>(g.out_w));
  std::vector<std::int64_t> at(static_cast<std::size_t>(g.out_w));
  for (std::int64_t p = 0; p < g.planes; ++p)
    for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
      row_max<true>(xv + p * in_plane, g, oy, top.data(), at.data());
      for (std::int64_t ox = 0; ox < g.out_w; ++ox)
        f(p, at[ox], oy * g.out_w + ox);
    }
}

Variable pool_scatter(const Variable& x, const Variable& grad, const Window& g);

// Each pooled value's entry of v (x's shape) at its window's maximum: the adjoint of scattering.
Variable pool_gather(const Variable& x, const Variable& v, const Window& g) {
  const Shape& s = x.shape();
  Variable y = Variable::result({s[0], s[1], g.out_h, g.out_w}, {v}, "max_pool2d_gather");
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = v.value().data<T>();
    T* out = y.value().data<T>();
    const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
    for_each_argmax(x.value().data<T>(), g, [&](std::int64_t p, std::int64_t i, std::int64_t o) {
      out[p * out_plane + o] = in[p * in_plane + i];
    });
  });
  if (y.needs_grad())
    y.set_grad_rule([x, g](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {pool_scatter(x, grad, g)};
    });
  return y;
}

// max_pool2d's gradient as an operation: each pooled gradient added onto its window's maximum.
// Linear in `grad`; x only picks the positions (its own derivative is zero almost everywhere).
Variable pool_scatter(const Variable& x, const Variable& grad, const Window& g) {
  Variable y = Variable::result(x.shape(), {grad}, "max_pool2d_scatter");
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = grad.value().data<T>();
    T* out = y.value().data<T>();
    std::fill_n(out, y.value().size(), T{0});
    const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
    for_each_argmax(x.value().data<T>(), g, [&](std::int64_t p, std::int64_t i, std::int64_t o) {
      out[p * in_plane + i] += in[p * out_plane + o];
    });
  });
  if (y.needs_grad())
    y.set_grad_rule([x, g](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {pool_gather(x, grad, g)};
    });
  return y;
}

}  // namespace

Variable max_pool2d(const Variable& x, int size, int stride) {
  if (stride <= 0) stride = size;
  const Shape& s = x.shape();
  if (s.size() != 4)
    throw InvalidArgument(
        fmt::format("max_pool2d: input must be (batch, channels, height, width), got shape {}",
                    shape_string(s)));
  if (size < 1) throw InvalidArgument(fmt::format("max_pool2d: size must be >= 1, got {}", size));
  if (s[2] < size || s[3] < size)
    throw InvalidArgument(
        fmt::format("max_pool2d: window {}x{} does not fit input {}", size, size, shape_string(s)));
  const Window g{s[0] * s[1], s[2],  s[3], (s[2] - size) / stride + 1, (s[3] - size) / stride + 1,
                 size,        stride};
  Variable y = Variable::result({s[0], s[1], g.out_h, g.out_w}, {x}, "max_pool2d");
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* xv = x.value().data<T>();
    T* yv = y.value().data<T>();
    const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
    parallel_for(g.planes, g.planes * in_plane, [&](std::int64_t p) {
      const T* plane = xv + p * in_plane;
      T* out = yv + p * out_plane;
      for (std::int64_t oy = 0; oy < g.out_h; ++oy)
        row_max<false>(plane, g, oy, out + oy * g.out_w, static_cast<std::int64_t*>(nullptr));
    });
  });
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32) {
    // The arg-max is found again here rather than stored: the same scan, no extra buffer.
    y.set_backward([g](Node& self) {
      Node& in = *self.inputs[0];
      if (!in.requires_grad) return;
      bool accumulate = false;
      float* dx = in.grad_for_write(accumulate).data();
      const float* xv = in.value.data();
      const float* dy = self.grad.data();
      const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
      parallel_for(g.planes, g.planes * in_plane, [&](std::int64_t p) {
        const float* plane = xv + p * in_plane;
        const float* g_out = dy + p * out_plane;
        float* d = dx + p * in_plane;
        if (!accumulate) std::fill_n(d, in_plane, 0.0f);
        thread_local std::vector<float> top;
        thread_local std::vector<std::int64_t> at;
        top.resize(static_cast<std::size_t>(g.out_w));
        at.resize(static_cast<std::size_t>(g.out_w));
        for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
          row_max<true>(plane, g, oy, top.data(), at.data());
          for (std::int64_t ox = 0; ox < g.out_w; ++ox)
            d[at[ox]] += g_out[oy * g.out_w + ox];
        }
      });
    });
  }
  y.set_grad_rule([g](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    // x enters as a constant: it only says where the maxima are.
    const Variable x = self.input(0);
    return {pool_scatter(Variable(x.value()), grad, g)};
  });
  return y;
}

}  // namespace descent
