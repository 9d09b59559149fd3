// The cpu convolution kernels: oneDNN's convolution primitives in float32 (cpu/onednn_conv.h), and
// im2col + GEMM in float64, which oneDNN lacks (the gradient checks run in it), the batch in
// chunks of pooled column buffers, so a steady-state step allocates nothing.
#include <algorithm>

#include "core/backend/cpu/cpu_backend.h"
#include "core/backend/cpu/gemm.h"
#include "core/backend/cpu/onednn_conv.h"
#include "core/parallel.h"

namespace descent {
namespace {

using cpu::gemm;

// At most this many floats of im2col columns at once (64 MiB); larger batches go in chunks.
constexpr std::int64_t kColumnBudget = std::int64_t{1} << 24;

// Images per im2col chunk: as many as the budget holds, at least one.
std::int64_t images_per_chunk(const Conv2dDims& g) {
  const std::int64_t fit = kColumnBudget / std::max<std::int64_t>(1, g.rows() * g.pixels());
  return std::max<std::int64_t>(1, std::min(fit, g.batch));
}

// The output columns [lo, hi) whose input column ox·stride - pad_left + kj lies inside the image,
// so the copy loops below carry no bounds test.
void inside_columns(const Conv2dDims& g, std::int64_t kj, std::int64_t& lo, std::int64_t& hi) {
  const std::int64_t first = g.pad_left - kj;    // ox·stride must reach this
  const std::int64_t last = g.in_w - 1 + first;  // and stay at or below this
  lo = first <= 0 ? 0 : (first + g.stride - 1) / g.stride;
  hi = last < 0 ? 0 : std::min(g.out_w, last / g.stride + 1);
  lo = std::min(lo, hi);
}

// Columns of images [first, first + count) into col (K, count·P): column n·P + p holds the
// receptive field of output pixel p of image n, zeros where it overhangs the padding.
template <class T>
void im2col(const Conv2dDims& g, const T* x, std::int64_t first, std::int64_t count, T* col) {
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
            const std::int64_t iy = oy * g.stride - g.pad_top + ki;
            T* row = out + oy * g.out_w;
            if (iy < 0 || iy >= g.in_h) {
              std::fill_n(row, g.out_w, T{0});
              continue;
            }
            const T* in = plane + iy * g.in_w;
            std::fill_n(row, lo, T{0});
            if (g.stride == 1)  // contiguous: a plain copy the compiler vectorizes
              std::copy(in + lo + kj - g.pad_left, in + hi + kj - g.pad_left, row + lo);
            else
              for (std::int64_t ox = lo; ox < hi; ++ox)
                row[ox] = in[ox * g.stride + kj - g.pad_left];
            std::fill_n(row + hi, g.out_w - hi, T{0});
          }
        }
  });
}

// The adjoint of im2col: adds each column entry back onto the input pixel it was read from.
// One thread per image, so the sums run in a fixed order.
template <class T>
void col2im(const Conv2dDims& g, const T* col, std::int64_t first, std::int64_t count, T* dx) {
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
            const std::int64_t iy = oy * g.stride - g.pad_top + ki;
            if (iy < 0 || iy >= g.in_h) continue;
            T* out = plane + iy * g.in_w;
            const T* row = in + oy * g.out_w;
            if (g.stride == 1) {
              T* shifted = out + kj - g.pad_left;
              for (std::int64_t ox = lo; ox < hi; ++ox)
                shifted[ox] += row[ox];
            } else {
              for (std::int64_t ox = lo; ox < hi; ++ox)
                out[ox * g.stride + kj - g.pad_left] += row[ox];
            }
          }
        }
  });
}

// The batch in im2col chunks: f(first, count, width) for images [first, first + count).
template <class F>
void for_each_chunk(const Conv2dDims& g, F f) {
  const std::int64_t chunk = images_per_chunk(g);
  for (std::int64_t first = 0; first < g.batch; first += chunk) {
    const std::int64_t count = std::min(chunk, g.batch - first);
    f(first, count, count * g.pixels());
  }
}

// dy's images [first, first + count) as one (C, count·P) matrix, the layout the GEMMs need.
template <class T>
void gather_wide(const Conv2dDims& g, const T* dy, std::int64_t first, std::int64_t count,
                 T* wide) {
  const std::int64_t C = g.out_c, P = g.pixels(), width = count * P;
  parallel_for(count, C * width, [&](std::int64_t n) {
    for (std::int64_t o = 0; o < C; ++o)
      std::copy_n(dy + ((first + n) * C + o) * P, P, wide + o * width + n * P);
  });
}

// oneDNN runs the float32 convolutions of at least one image (an empty batch has nothing to
// convolve, and its weight gradient is zeros, which the im2col path writes).
bool on_onednn(const Conv2dDims& g, DType dtype) {
  return dtype == DType::f32 && g.batch > 0;
}

// Where a oneDNN kernel writes a gradient: the gradient itself when it is assigned, else a pooled
// buffer that add_into then adds onto it (oneDNN's backward primitives only assign).
float* gradient_target(GradOut* out, Tensor& buffer) {
  if (!out) return nullptr;
  if (!out->accumulate) return out->tensor.data<float>();
  buffer.resize(out->tensor.shape(), DType::f32);
  return buffer.data<float>();
}

void add_into(GradOut* out, const Tensor& buffer) {
  if (!out || !out->accumulate) return;
  float* g = out->tensor.data<float>();
  const float* add = buffer.data<float>();
  parallel_for(buffer.size(), buffer.size(), [&](std::int64_t i) { g[i] += add[i]; });
}

// The fused backward on oneDNN: one backward-data and one backward-weights primitive, the latter
// computing the bias gradient alongside the weights'.
void onednn_backward(const Conv2dDims& g, const Tensor& x, const Tensor& w, const Tensor& dy,
                     GradOut* x_grad, GradOut* w_grad, GradOut* b_grad) {
  Tensor dx_buffer, dw_buffer, db_buffer;
  float* dw = gradient_target(w_grad, dw_buffer);
  if (b_grad && !dw) {  // the bias gradient alone: the primitive writes both
    dw_buffer.resize({g.out_c, g.in_c, g.kh, g.kw}, DType::f32);
    dw = dw_buffer.data<float>();
  }
  cpu::onednn_conv2d_backward(g, x.data<float>(), w.data<float>(), dy.data<float>(),
                              gradient_target(x_grad, dx_buffer), dw,
                              gradient_target(b_grad, db_buffer));
  add_into(x_grad, dx_buffer);
  add_into(w_grad, dw_buffer);
  add_into(b_grad, db_buffer);
}

class CpuConv final : public ConvKernels {
 public:
  void conv2d(const Conv2dDims& g, const Tensor& x, const Tensor& w, const Tensor* b,
              Tensor& y) const override {
    if (on_onednn(g, y.dtype())) {
      cpu::onednn_conv2d(g, x.data<float>(), w.data<float>(), b ? b->data<float>() : nullptr,
                         y.data<float>());
      return;
    }
    visit_dtype(y.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const std::int64_t K = g.rows(), P = g.pixels(), C = g.out_c;
      const T* bias = b ? b->data<T>() : nullptr;
      T* yv = y.data<T>();
      Tensor col, y_wide;  // pooled scratch: (K, count·P), (C, count·P)
      for_each_chunk(g, [&](std::int64_t first, std::int64_t count, std::int64_t width) {
        col.resize({K, width}, y.dtype());
        y_wide.resize({C, width}, y.dtype());
        im2col(g, x.data<T>(), first, count, col.data<T>());
        // Y (C, count·P) = W (C, K) · col (K, count·P): one GEMM for the whole chunk.
        gemm(false, false, C, width, K, w.data<T>(), col.data<T>(), T{0}, y_wide.data<T>());
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
  }

  // Wᵀ · dY folded back onto the input by col2im.
  void conv2d_input_grad(const Conv2dDims& g, const Tensor& dy, const Tensor& w,
                         Tensor& dx) const override {
    if (on_onednn(g, dx.dtype())) {
      cpu::onednn_conv2d_input_grad(g, dy.data<float>(), w.data<float>(), dx.data<float>());
      return;
    }
    visit_dtype(dx.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* out = dx.data<T>();
      std::fill_n(out, dx.size(), T{0});
      Tensor wide, dcol;
      for_each_chunk(g, [&](std::int64_t first, std::int64_t count, std::int64_t width) {
        wide.resize({g.out_c, width}, dx.dtype());
        dcol.resize({g.rows(), width}, dx.dtype());
        gather_wide(g, dy.data<T>(), first, count, wide.data<T>());
        gemm(true, false, g.rows(), width, g.out_c, w.data<T>(), wide.data<T>(), T{0},
             dcol.data<T>());
        col2im(g, dcol.data<T>(), first, count, out);
      });
    });
  }

  // dY · colᵀ summed over the chunks.
  void conv2d_weight_grad(const Conv2dDims& g, const Tensor& x, const Tensor& dy,
                          Tensor& dw) const override {
    if (on_onednn(g, dw.dtype())) {
      cpu::onednn_conv2d_weight_grad(g, x.data<float>(), dy.data<float>(), dw.data<float>(),
                                     nullptr);
      return;
    }
    visit_dtype(dw.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* out = dw.data<T>();
      std::fill_n(out, dw.size(), T{0});
      Tensor wide, col;
      for_each_chunk(g, [&](std::int64_t first, std::int64_t count, std::int64_t width) {
        wide.resize({g.out_c, width}, dw.dtype());
        col.resize({g.rows(), width}, dw.dtype());
        gather_wide(g, dy.data<T>(), first, count, wide.data<T>());
        im2col(g, x.data<T>(), first, count, col.data<T>());
        gemm(false, true, g.out_c, g.rows(), width, wide.data<T>(), col.data<T>(), T{1}, out);
      });
    });
  }

  // dy is gathered once per chunk for all three gradients.
  void conv2d_backward(const Conv2dDims& g, const Tensor& x_value, const Tensor& w_value,
                       const Tensor& grad, GradOut* x_grad, GradOut* w_grad,
                       GradOut* b_grad) const override {
    if (on_onednn(g, grad.dtype())) {
      onednn_backward(g, x_value, w_value, grad, x_grad, w_grad, b_grad);
      return;
    }
    visit_dtype(grad.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const DType dtype = grad.dtype();
      const std::int64_t K = g.rows(), P = g.pixels(), C = g.out_c, chunk = images_per_chunk(g);
      const std::int64_t image_size = g.in_c * g.in_h * g.in_w;
      const T* dy = grad.data<T>();

      const bool x_accumulate = x_grad && x_grad->accumulate;
      const bool w_accumulate = w_grad && w_grad->accumulate;
      const bool b_accumulate = b_grad && b_grad->accumulate;
      T* dx = x_grad ? x_grad->tensor.data<T>() : nullptr;
      T* dw = w_grad ? w_grad->tensor.data<T>() : nullptr;
      T* db = b_grad ? b_grad->tensor.data<T>() : nullptr;
      // Zeroed up front, so every chunk (and an empty batch) simply adds its share.
      if (dw && !w_accumulate) std::fill_n(dw, C * K, T{0});
      if (db && !b_accumulate) std::fill_n(db, C, T{0});

      Tensor dy_wide, col, dcol;  // pooled scratch: (C, count·P), (K, count·P), (K, count·P)
      for (std::int64_t first = 0; first < g.batch; first += chunk) {
        const std::int64_t count = std::min(chunk, g.batch - first), width = count * P;
        dy_wide.resize({C, width}, dtype);
        T* dyw = dy_wide.data<T>();
        parallel_for(count, C * width, [&](std::int64_t n) {
          for (std::int64_t o = 0; o < C; ++o)
            std::copy_n(dy + ((first + n) * C + o) * P, P, dyw + o * width + n * P);
        });
        if (db)
          for (std::int64_t o = 0; o < C; ++o) {
            T total = 0;
            for (std::int64_t i = 0; i < width; ++i)
              total += dyw[o * width + i];
            db[o] += total;
          }
        if (dw) {
          col.resize({K, width}, dtype);
          im2col(g, x_value.data<T>(), first, count, col.data<T>());
          // dW (C, K) = dY (C, count·P) · colᵀ
          gemm(false, true, C, K, width, dyw, col.data<T>(), T{1}, dw);
        }
        if (dx) {
          dcol.resize({K, width}, dtype);
          // dcol (K, count·P) = Wᵀ · dY
          gemm(true, false, K, width, C, w_value.data<T>(), dyw, T{0}, dcol.data<T>());
          if (!x_accumulate) std::fill_n(dx + first * image_size, count * image_size, T{0});
          col2im(g, dcol.data<T>(), first, count, dx);
        }
      }
    });
  }
};

}  // namespace

const ConvKernels& cpu_conv() {
  static const CpuConv kernels;
  return kernels;
}

}  // namespace descent
