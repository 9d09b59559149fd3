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
template <bool kWhere>
void row_max(const float* plane, const Window& g, std::int64_t oy, float* top, std::int64_t* at) {
  const std::int64_t y0 = oy * g.stride;
  for (std::int64_t ox = 0; ox < g.out_w; ++ox) {
    top[ox] = plane[y0 * g.in_w + ox * g.stride];
    if constexpr (kWhere) at[ox] = y0 * g.in_w + ox * g.stride;
  }
  for (std::int64_t i = 0; i < g.size; ++i)
    for (std::int64_t j = i == 0 ? 1 : 0; j < g.size; ++j) {
      const std::int64_t first = (y0 + i) * g.in_w + j;
      for (std::int64_t ox = 0; ox < g.out_w; ++ox) {
        const float v = plane[first + ox * g.stride];
        const bool better = v > top[ox] || (v != v && top[ox] == top[ox]);
        top[ox] = better ? v : top[ox];
        if constexpr (kWhere) at[ox] = better ? first + ox * g.stride : at[ox];
      }
    }
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
  const float* xv = x.value().data();
  float* yv = y.value().data();
  const std::int64_t in_plane = g.in_h * g.in_w, out_plane = g.out_h * g.out_w;
  parallel_for(g.planes, g.planes * in_plane, [&](std::int64_t p) {
    const float* plane = xv + p * in_plane;
    float* out = yv + p * out_plane;
    for (std::int64_t oy = 0; oy < g.out_h; ++oy)
      row_max<false>(plane, g, oy, out + oy * g.out_w, nullptr);
  });
  if (y.needs_grad()) {
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
  return y;
}

}  // namespace descent
