#include "core/ops/conv2d.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/backend/cpu/gemm.h"
#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/shape.h"
#include "core/parallel.h"

namespace descent {
namespace {

using cpu::gemm;

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

Geometry check_geometry(const Shape& xs, const Shape& ws, const Variable& b,
                        Conv2dGeometry geometry) {
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
template <class T>
void im2col(const Geometry& g, const T* x, std::int64_t first, std::int64_t count, T* col) {
  const std::int64_t P = g.pixels(), ld = count * P;
  parallel_for(count, count * g.rows() * P, [&](std::int64_t n) {
    const T* image = x + (first + n) * g.in_c * g.in_h * g.in_w;
    for (std::int64_t c = 0; c < g.in_c; ++c)
      for (std::int64_t ki = 0; ki < g.kh; ++ki)
        for (std::int64_t kj = 0; kj < g.kw; ++kj) {
          T* out = col + ((c * g.kh + ki) * g.kw + kj) * ld + n * P;
          const T* plane = image + c * g.in_h * g.in_w;
          std::int64_t lo = 0, hi = 0;
          inside_columns(g, kj, lo, hi);
          for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
            const std::int64_t iy = oy * g.stride - g.padding + ki;
            T* row = out + oy * g.out_w;
            if (iy < 0 || iy >= g.in_h) {
              std::fill_n(row, g.out_w, T{0});
              continue;
            }
            const T* in = plane + iy * g.in_w;
            std::fill_n(row, lo, T{0});
            if (g.stride == 1)  // contiguous: a plain copy the compiler vectorizes
              std::copy(in + lo + kj - g.padding, in + hi + kj - g.padding, row + lo);
            else
              for (std::int64_t ox = lo; ox < hi; ++ox)
                row[ox] = in[ox * g.stride + kj - g.padding];
            std::fill_n(row + hi, g.out_w - hi, T{0});
          }
        }
  });
}

// The adjoint of im2col: adds each column entry back onto the input pixel it was read from.
// One thread per image, so the sums run in a fixed order.
template <class T>
void col2im(const Geometry& g, const T* col, std::int64_t first, std::int64_t count, T* dx) {
  const std::int64_t P = g.pixels(), ld = count * P;
  parallel_for(count, count * g.rows() * P, [&](std::int64_t n) {
    T* image = dx + (first + n) * g.in_c * g.in_h * g.in_w;
    for (std::int64_t c = 0; c < g.in_c; ++c)
      for (std::int64_t ki = 0; ki < g.kh; ++ki)
        for (std::int64_t kj = 0; kj < g.kw; ++kj) {
          const T* in = col + ((c * g.kh + ki) * g.kw + kj) * ld + n * P;
          T* plane = image + c * g.in_h * g.in_w;
          std::int64_t lo = 0, hi = 0;
          inside_columns(g, kj, lo, hi);
          for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
            const std::int64_t iy = oy * g.stride - g.padding + ki;
            if (iy < 0 || iy >= g.in_h) continue;
            T* out = plane + iy * g.in_w;
            const T* row = in + oy * g.out_w;
            if (g.stride == 1) {
              T* shifted = out + kj - g.padding;
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

// The batch in im2col chunks: f(first, count, width) for images [first, first + count).
template <class F>
void for_each_chunk(const Geometry& g, F f) {
  const std::int64_t chunk = g.chunk();
  for (std::int64_t first = 0; first < g.batch; first += chunk) {
    const std::int64_t count = std::min(chunk, g.batch - first);
    f(first, count, count * g.pixels());
  }
}

// dy's images [first, first + count) as one (C, count·P) matrix, the layout the GEMMs need.
template <class T>
void gather_wide(const Geometry& g, const T* dy, std::int64_t first, std::int64_t count, T* wide) {
  const std::int64_t C = g.out_c, P = g.pixels(), width = count * P;
  parallel_for(count, C * width, [&](std::int64_t n) {
    for (std::int64_t o = 0; o < C; ++o)
      std::copy_n(dy + ((first + n) * C + o) * P, P, wide + o * width + n * P);
  });
}

Variable conv2d_input_grad(const Variable& dy, const Variable& w, const Geometry& g);
Variable conv2d_weight_grad(const Variable& x, const Variable& dy, const Geometry& g);

// y = conv(x, w): bilinear, so each of the three operations' gradients is another of them.
Variable convolve(const Variable& x, const Variable& w, const Variable& b, const Geometry& g) {
  Variable y = Variable::result({g.batch, g.out_c, g.out_h, g.out_w}, {x, w, b}, "conv2d");
  visit_dtype(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const std::int64_t K = g.rows(), P = g.pixels(), C = g.out_c;
    const T* bias = b.defined() ? b.value().data<T>() : nullptr;
    T* yv = y.value().data<T>();
    Tensor col, y_wide;  // pooled scratch: (K, count·P), (C, count·P)
    for_each_chunk(g, [&](std::int64_t first, std::int64_t count, std::int64_t width) {
      col.resize({K, width}, y.dtype());
      y_wide.resize({C, width}, y.dtype());
      im2col(g, x.value().data<T>(), first, count, col.data<T>());
      // Y (C, count·P) = W (C, K) · col (K, count·P): one GEMM for the whole chunk.
      gemm(false, false, C, width, K, w.value().data<T>(), col.data<T>(), T{0}, y_wide.data<T>());
      const T* yw = y_wide.data<T>();
      parallel_for(count, C * width, [&](std::int64_t n) {
        for (std::int64_t o = 0; o < C; ++o) {
          const T* in = yw + o * width + n * P;
          T* out = yv + ((first + n) * C + o) * P;
          const T shift = bias ? bias[o] : T{0};
          for (std::int64_t p = 0; p < P; ++p)
            out[p] = in[p] + shift;
        }
      });
    });
  });
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32) y.set_backward([g](Node& self) { conv2d_backward(self, g); });
  y.set_grad_rule([g](const Variable& self, const Variable& grad) {
    const Variable x = self.input(0), w = self.input(1);
    std::vector<Variable> grads{x.requires_grad() ? conv2d_input_grad(grad, w, g) : Variable(),
                                w.requires_grad() ? conv2d_weight_grad(x, grad, g) : Variable()};
    if (self.node()->inputs.size() > 2 && self.input(2).requires_grad())
      grads.push_back(reshape(sum_to(grad, {g.out_c, 1, 1}), {g.out_c}));
    return grads;
  });
  return y;
}

// d⟨dy, conv(x, w)⟩/dx: Wᵀ · dY folded back onto the input by col2im.
Variable conv2d_input_grad(const Variable& dy, const Variable& w, const Geometry& g) {
  Variable dx = Variable::result({g.batch, g.in_c, g.in_h, g.in_w}, {dy, w}, "conv2d_input_grad");
  visit_dtype(dx.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* out = dx.value().data<T>();
    std::fill_n(out, dx.value().size(), T{0});
    Tensor wide, dcol;
    for_each_chunk(g, [&](std::int64_t first, std::int64_t count, std::int64_t width) {
      wide.resize({g.out_c, width}, dx.dtype());
      dcol.resize({g.rows(), width}, dx.dtype());
      gather_wide(g, dy.value().data<T>(), first, count, wide.data<T>());
      gemm(true, false, g.rows(), width, g.out_c, w.value().data<T>(), wide.data<T>(), T{0},
           dcol.data<T>());
      col2im(g, dcol.data<T>(), first, count, out);
    });
  });
  if (dx.needs_grad())
    dx.set_grad_rule([g](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      const Variable dy = self.input(0), w = self.input(1);
      return {dy.requires_grad() ? convolve(grad, w, Variable(), g) : Variable(),
              w.requires_grad() ? conv2d_weight_grad(grad, dy, g) : Variable()};
    });
  return dx;
}

// d⟨dy, conv(x, w)⟩/dw: dY · colᵀ summed over the chunks.
Variable conv2d_weight_grad(const Variable& x, const Variable& dy, const Geometry& g) {
  Variable dw = Variable::result({g.out_c, g.in_c, g.kh, g.kw}, {x, dy}, "conv2d_weight_grad");
  visit_dtype(dw.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* out = dw.value().data<T>();
    std::fill_n(out, dw.value().size(), T{0});
    Tensor wide, col;
    for_each_chunk(g, [&](std::int64_t first, std::int64_t count, std::int64_t width) {
      wide.resize({g.out_c, width}, dw.dtype());
      col.resize({g.rows(), width}, dw.dtype());
      gather_wide(g, dy.value().data<T>(), first, count, wide.data<T>());
      im2col(g, x.value().data<T>(), first, count, col.data<T>());
      gemm(false, true, g.out_c, g.rows(), width, wide.data<T>(), col.data<T>(), T{1}, out);
    });
  });
  if (dw.needs_grad())
    dw.set_grad_rule([g](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      const Variable x = self.input(0), dy = self.input(1);
      return {x.requires_grad() ? conv2d_input_grad(dy, grad, g) : Variable(),
              dy.requires_grad() ? convolve(x, grad, Variable(), g) : Variable()};
    });
  return dw;
}

}  // namespace

Variable conv2d(const Variable& x, const Variable& w, const Variable& b, Conv2dGeometry geometry) {
  return convolve(x, w, b, check_geometry(x.shape(), w.shape(), b, geometry));
}

}  // namespace descent
