// The cpu pooling kernels: each output row's windows scanned together, so the loop over the row's
// columns vectorizes; planes in parallel.
#include <algorithm>
#include <vector>

#include "core/backend/cpu/cpu_backend.h"
#include "core/parallel.h"

namespace descent {
namespace {

// The maximum of each window of output row `oy` into top[ox] and, when kWhere, its index in the
// plane into at[ox]: the first on ties, NaN wins (as in PyTorch). The window is scanned in the
// same order for every column, so the loop over the row's columns vectorizes.
template <bool kWhere, class T>
void row_max(const T* plane, const PoolWindow& g, std::int64_t oy, T* top, std::int64_t* at) {
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
void for_each_argmax(const T* xv, const PoolWindow& g, F f) {
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

// The windows [lo, hi) of one axis (out of `out`) that cover input index i: o·stride <= i <
// o·stride + size.
void covering(const PoolWindow& g, std::int64_t i, std::int64_t out, std::int64_t& lo,
              std::int64_t& hi) {
  lo = i < g.size ? 0 : (i - g.size) / g.stride + 1;
  hi = std::min(out, i / g.stride + 1);
}

class CpuPool final : public PoolKernels {
 public:
  void max_pool2d(const PoolWindow& g, const Tensor& x, Tensor& y) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      T* yv = y.data<T>();
      const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
      parallel_for(g.planes, g.planes * in_plane, [&](std::int64_t p) {
        const T* plane = xv + p * in_plane;
        T* out = yv + p * out_plane;
        for (std::int64_t oy = 0; oy < g.out_h; ++oy)
          row_max<false>(plane, g, oy, out + oy * g.out_w, static_cast<std::int64_t*>(nullptr));
      });
    });
  }

  // The arg-max is found again here rather than stored: the same scan, no extra buffer.
  void max_pool2d_grad(const PoolWindow& g, const Tensor& x, const Tensor& grad,
                       GradOut out) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* dx = out.tensor.data<T>();
      const T* xv = x.data<T>();
      const T* dy = grad.data<T>();
      const bool accumulate = out.accumulate;
      const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
      parallel_for(g.planes, g.planes * in_plane, [&](std::int64_t p) {
        const T* plane = xv + p * in_plane;
        const T* g_out = dy + p * out_plane;
        T* d = dx + p * in_plane;
        if (!accumulate) std::fill_n(d, in_plane, T{0});
        thread_local std::vector<T> top;
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

  void max_pool2d_scatter(const PoolWindow& g, const Tensor& x, const Tensor& v,
                          Tensor& y) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* in = v.data<T>();
      T* out = y.data<T>();
      std::fill_n(out, y.size(), T{0});
      const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
      for_each_argmax(x.data<T>(), g, [&](std::int64_t p, std::int64_t i, std::int64_t o) {
        out[p * in_plane + i] += in[p * out_plane + o];
      });
    });
  }

  void max_pool2d_gather(const PoolWindow& g, const Tensor& x, const Tensor& v,
                         Tensor& y) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* in = v.data<T>();
      T* out = y.data<T>();
      const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
      for_each_argmax(x.data<T>(), g, [&](std::int64_t p, std::int64_t i, std::int64_t o) {
        out[p * out_plane + o] = in[p * in_plane + i];
      });
    });
  }

  void avg_pool2d(const PoolWindow& g, const Tensor& x, Tensor& y) const override {
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      T* yv = y.data<T>();
      const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
      const T scale = T{1} / static_cast<T>(g.size * g.size);
      parallel_for(g.planes, g.planes * in_plane, [&](std::int64_t p) {
        const T* plane = xv + p * in_plane;
        T* out = yv + p * out_plane;
        for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
          T* row = out + oy * g.out_w;
          std::fill_n(row, g.out_w, T{0});
          for (std::int64_t i = 0; i < g.size; ++i)
            for (std::int64_t j = 0; j < g.size; ++j) {
              const T* first = plane + (oy * g.stride + i) * g.in_w + j;
              for (std::int64_t ox = 0; ox < g.out_w; ++ox)
                row[ox] += first[ox * g.stride];
            }
          for (std::int64_t ox = 0; ox < g.out_w; ++ox)
            row[ox] *= scale;
        }
      });
    });
  }

  // Gathered per input value (the sum over the windows that cover it) rather than scattered per
  // window: each gradient value is written once, so write_grad can assign and nothing is zeroed.
  void avg_pool2d_grad(const PoolWindow& g, const Tensor& dy, GradOut dx) const override {
    visit_dtype(dy.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* dv = dy.data<T>();
      const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
      const T scale = T{1} / static_cast<T>(g.size * g.size);
      write_grad<T>(dx, [&](auto store) {
        parallel_for(g.planes, g.planes * in_plane, [&](std::int64_t p) {
          const T* d = dv + p * out_plane;
          for (std::int64_t iy = 0; iy < g.in_h; ++iy) {
            std::int64_t oy0, oy1;
            covering(g, iy, g.out_h, oy0, oy1);
            for (std::int64_t ix = 0; ix < g.in_w; ++ix) {
              std::int64_t ox0, ox1;
              covering(g, ix, g.out_w, ox0, ox1);
              T sum{0};
              for (std::int64_t oy = oy0; oy < oy1; ++oy)
                for (std::int64_t ox = ox0; ox < ox1; ++ox)
                  sum += d[oy * g.out_w + ox];
              store(p * in_plane + iy * g.in_w + ix, sum * scale);
            }
          }
        });
      });
    });
  }
};

}  // namespace

const PoolKernels& cpu_pool() {
  static const CpuPool kernels;
  return kernels;
}

}  // namespace descent
