#include "core/ops/pool.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"

namespace descent {
namespace {

struct Window {
  std::int64_t planes, in_h, in_w, out_h, out_w, size, stride;
};

// Index in the plane of the window's maximum: the first one on ties, NaN wins (as in PyTorch).
inline std::int64_t arg_max(const float* plane, const Window& g, std::int64_t oy, std::int64_t ox) {
  const std::int64_t y0 = oy * g.stride, x0 = ox * g.stride;
  std::int64_t best = y0 * g.in_w + x0;
  float top = plane[best];
  for (std::int64_t i = 0; i < g.size; ++i)
    for (std::int64_t j = 0; j < g.size; ++j) {
      const std::int64_t at = (y0 + i) * g.in_w + x0 + j;
      const float v = plane[at];
      if (v > top || (v != v && top == top)) {
        top = v;
        best = at;
      }
    }
  return best;
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
      for (std::int64_t ox = 0; ox < g.out_w; ++ox)
        out[oy * g.out_w + ox] = plane[arg_max(plane, g, oy, ox)];
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
        for (std::int64_t oy = 0; oy < g.out_h; ++oy)
          for (std::int64_t ox = 0; ox < g.out_w; ++ox)
            d[arg_max(plane, g, oy, ox)] += g_out[oy * g.out_w + ox];
      });
    });
  }
  return y;
}

}  // namespace descent
