#include "core/ops/conv2d.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/gemm.h"
#include "core/parallel.h"

namespace descent {
namespace {

// At most this many floats of im2col columns at once (64 MiB); larger batches go in chunks.
constexpr std::int64_t kColumnBudget = std::int64_t{1} << 24;

struct Geometry {
  std::int64_t batch, in_c, in_h, in_w;
  std::int64_t out_c, kh, kw;
  std::int64_t out_h, out_w;
  std::int64_t stride, padding;
  std::int64_t rows() const { return in_c * kh * kw; }   // K: one column's length
  std::int64_t pixels() const { return out_h * out_w; }  // P: columns per image
  // Images per im2col chunk: as many as the budget holds, at least one.
  std::int64_t chunk() const {
    const std::int64_t fit = kColumnBudget / std::max<std::int64_t>(1, rows() * pixels());
    return std::max<std::int64_t>(1, std::min(fit, batch));
  }
};

Geometry check_geometry(const Variable& x, const Variable& w, const Variable& b,
                        Conv2dGeometry geometry) {
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  if (xs.size() != 4)
    throw InvalidArgument(fmt::format(
        "conv2d: input must be (batch, channels, height, width), got shape {}", shape_string(xs)));
  if (ws.size() != 4)
    throw InvalidArgument(
        fmt::format("conv2d: kernel must be (out_channels, in_channels, kh, kw), got shape {}",
                    shape_string(ws)));
  if (ws[1] != xs[1])
    throw InvalidArgument(
        fmt::format("conv2d: kernel {} expects {} input channels, input {} has {}",
                    shape_string(ws), ws[1], shape_string(xs), xs[1]));
  if (b.defined() && b.shape() != Shape{ws[0]})
    throw InvalidArgument(fmt::format("conv2d: bias of shape {} for {} output channels",
                                      shape_string(b.shape()), ws[0]));
  if (geometry.stride < 1)
    throw InvalidArgument(fmt::format("conv2d: stride must be >= 1, got {}", geometry.stride));
  if (geometry.padding < 0)
    throw InvalidArgument(fmt::format("conv2d: padding must be >= 0, got {}", geometry.padding));
  Geometry g{xs[0], xs[1], xs[2], xs[3],           ws[0],           ws[2],
             ws[3], 0,     0,     geometry.stride, geometry.padding};
  const std::int64_t padded_h = g.in_h + 2 * g.padding, padded_w = g.in_w + 2 * g.padding;
  if (g.kh < 1 || g.kw < 1 || padded_h < g.kh || padded_w < g.kw)
    throw InvalidArgument(fmt::format("conv2d: kernel {}x{} does not fit input {} with padding {}",
                                      g.kh, g.kw, shape_string(xs), g.padding));
  g.out_h = (padded_h - g.kh) / g.stride + 1;
  g.out_w = (padded_w - g.kw) / g.stride + 1;
  return g;
}

// The output columns [lo, hi) whose input column ox·stride - padding + kj lies inside the image,
// so the copy loops below carry no bounds test.
void inside_columns(const Geometry& g, std::int64_t kj, std::int64_t& lo, std::int64_t& hi) {
  const std::int64_t first = g.padding - kj;     // ox·stride must reach this
  const std::int64_t last = g.in_w - 1 + first;  // and stay at or below this
  lo = first <= 0 ? 0 : (first + g.stride - 1) / g.stride;
  hi = last < 0 ? 0 : std::min(g.out_w, last / g.stride + 1);
  lo = std::min(lo, hi);
}

// Columns of images [first, first + count) into col (K, count·P): column n·P + p holds the
// receptive field of output pixel p of image n, zeros where it overhangs the padding.
void im2col(const Geometry& g, const float* x, std::int64_t first, std::int64_t count, float* col) {
  const std::int64_t P = g.pixels(), ld = count * P;
  parallel_for(count, count * g.rows() * P, [&](std::int64_t n) {
    const float* image = x + (first + n) * g.in_c * g.in_h * g.in_w;
    for (std::int64_t c = 0; c < g.in_c; ++c)
      for (std::int64_t ki = 0; ki < g.kh; ++ki)
        for (std::int64_t kj = 0; kj < g.kw; ++kj) {
          float* out = col + ((c * g.kh + ki) * g.kw + kj) * ld + n * P;
          const float* plane = image + c * g.in_h * g.in_w;
          std::int64_t lo = 0, hi = 0;
          inside_columns(g, kj, lo, hi);
          for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
            const std::int64_t iy = oy * g.stride - g.padding + ki;
            float* row = out + oy * g.out_w;
            if (iy < 0 || iy >= g.in_h) {
              std::fill_n(row, g.out_w, 0.0f);
              continue;
            }
            const float* in = plane + iy * g.in_w;
            std::fill_n(row, lo, 0.0f);
            if (g.stride == 1)  // contiguous: a plain copy the compiler vectorizes
              std::copy(in + lo + kj - g.padding, in + hi + kj - g.padding, row + lo);
            else
              for (std::int64_t ox = lo; ox < hi; ++ox)
                row[ox] = in[ox * g.stride + kj - g.padding];
            std::fill_n(row + hi, g.out_w - hi, 0.0f);
          }
        }
  });
}

// The adjoint of im2col: adds each column entry back onto the input pixel it was read from.
// One thread per image, so the sums run in a fixed order.
void col2im(const Geometry& g, const float* col, std::int64_t first, std::int64_t count,
            float* dx) {
  const std::int64_t P = g.pixels(), ld = count * P;
  parallel_for(count, count * g.rows() * P, [&](std::int64_t n) {
    float* image = dx + (first + n) * g.in_c * g.in_h * g.in_w;
    for (std::int64_t c = 0; c < g.in_c; ++c)
      for (std::int64_t ki = 0; ki < g.kh; ++ki)
        for (std::int64_t kj = 0; kj < g.kw; ++kj) {
          const float* in = col + ((c * g.kh + ki) * g.kw + kj) * ld + n * P;
          float* plane = image + c * g.in_h * g.in_w;
          std::int64_t lo = 0, hi = 0;
          inside_columns(g, kj, lo, hi);
          for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
            const std::int64_t iy = oy * g.stride - g.padding + ki;
            if (iy < 0 || iy >= g.in_h) continue;
            float* out = plane + iy * g.in_w;
            const float* row = in + oy * g.out_w;
            if (g.stride == 1) {
              float* shifted = out + kj - g.padding;
              for (std::int64_t ox = lo; ox < hi; ++ox)
                shifted[ox] += row[ox];
            } else {
              for (std::int64_t ox = lo; ox < hi; ++ox)
                out[ox * g.stride + kj - g.padding] += row[ox];
            }
          }
        }
  });
}

void conv2d_backward(Node& self, const Geometry& g) {
  Node& x = *self.inputs[0];
  Node& w = *self.inputs[1];
  Node* b = self.inputs.size() > 2 ? self.inputs[2].get() : nullptr;
  const std::int64_t K = g.rows(), P = g.pixels(), C = g.out_c, chunk = g.chunk();
  const std::int64_t image_size = g.in_c * g.in_h * g.in_w;
  const float* dy = self.grad.data();

  bool x_accumulate = false, w_accumulate = false, b_accumulate = false;
  float* dx = x.requires_grad ? x.grad_for_write(x_accumulate).data() : nullptr;
  float* dw = w.requires_grad ? w.grad_for_write(w_accumulate).data() : nullptr;
  float* db = b && b->requires_grad ? b->grad_for_write(b_accumulate).data() : nullptr;
  // Zeroed up front, so every chunk (and an empty batch) simply adds its share.
  if (dw && !w_accumulate) std::fill_n(dw, C * K, 0.0f);
  if (db && !b_accumulate) std::fill_n(db, C, 0.0f);

  Tensor dy_wide, col, dcol;  // pooled scratch: (C, count·P), (K, count·P), (K, count·P)
  for (std::int64_t first = 0; first < g.batch; first += chunk) {
    const std::int64_t count = std::min(chunk, g.batch - first), width = count * P;
    dy_wide.resize({C, width});
    float* dyw = dy_wide.data();
    parallel_for(count, C * width, [&](std::int64_t n) {
      for (std::int64_t o = 0; o < C; ++o)
        std::copy_n(dy + ((first + n) * C + o) * P, P, dyw + o * width + n * P);
    });
    if (db)
      for (std::int64_t o = 0; o < C; ++o) {
        float total = 0.0f;
        for (std::int64_t i = 0; i < width; ++i)
          total += dyw[o * width + i];
        db[o] += total;
      }
    if (dw) {
      col.resize({K, width});
      im2col(g, x.value.data(), first, count, col.data());
      // dW (C, K) = dY (C, count·P) · colᵀ
      gemm(false, true, C, K, width, dyw, col.data(), 1.0f, dw);
    }
    if (dx) {
      dcol.resize({K, width});
      // dcol (K, count·P) = Wᵀ · dY
      gemm(true, false, K, width, C, w.value.data(), dyw, 0.0f, dcol.data());
      if (!x_accumulate) std::fill_n(dx + first * image_size, count * image_size, 0.0f);
      col2im(g, dcol.data(), first, count, dx);
    }
  }
}

}  // namespace

Variable conv2d(const Variable& x, const Variable& w, const Variable& b, Conv2dGeometry geometry) {
  const Geometry g = check_geometry(x, w, b, geometry);
  Variable y = Variable::result({g.batch, g.out_c, g.out_h, g.out_w}, {x, w, b}, "conv2d");
  const std::int64_t K = g.rows(), P = g.pixels(), C = g.out_c, chunk = g.chunk();
  const float* bias = b.defined() ? b.value().data() : nullptr;
  float* yv = y.value().data();

  Tensor col, y_wide;  // pooled scratch: (K, count·P), (C, count·P)
  for (std::int64_t first = 0; first < g.batch; first += chunk) {
    const std::int64_t count = std::min(chunk, g.batch - first), width = count * P;
    col.resize({K, width});
    y_wide.resize({C, width});
    im2col(g, x.value().data(), first, count, col.data());
    // Y (C, count·P) = W (C, K) · col (K, count·P): one GEMM for the whole chunk.
    gemm(false, false, C, width, K, w.value().data(), col.data(), 0.0f, y_wide.data());
    const float* yw = y_wide.data();
    parallel_for(count, C * width, [&](std::int64_t n) {
      for (std::int64_t o = 0; o < C; ++o) {
        const float* in = yw + o * width + n * P;
        float* out = yv + ((first + n) * C + o) * P;
        const float shift = bias ? bias[o] : 0.0f;
        for (std::int64_t p = 0; p < P; ++p)
          out[p] = in[p] + shift;
      }
    });
  }
  if (y.needs_grad()) y.set_backward([g](Node& self) { conv2d_backward(self, g); });
  return y;
}

}  // namespace descent
