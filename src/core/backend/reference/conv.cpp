#include <cstdint>
#include <vector>

#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::store;

std::vector<double> conv_operand(const Tensor& t) {
  std::vector<double> values(static_cast<std::size_t>(t.size()));
  for (std::int64_t i = 0; i < t.size(); ++i)
    values[i] = t.at(i);
  return values;
}

// Calls f(xi, wi, yi) for every term x[xi] · w[wi] of every output y[yi]: the convolution's
// definition, one loop per index, skipping the terms that fall on the zero padding.
template <class F>
void for_each_tap(const Conv2dDims& g, F f) {
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t o = 0; o < g.out_c; ++o)
      for (std::int64_t oy = 0; oy < g.out_h; ++oy)
        for (std::int64_t ox = 0; ox < g.out_w; ++ox) {
          const std::int64_t yi = ((n * g.out_c + o) * g.out_h + oy) * g.out_w + ox;
          for (std::int64_t c = 0; c < g.in_c; ++c)
            for (std::int64_t ki = 0; ki < g.kh; ++ki)
              for (std::int64_t kj = 0; kj < g.kw; ++kj) {
                const std::int64_t iy = oy * g.stride - g.pad_top + ki;
                const std::int64_t ix = ox * g.stride - g.pad_left + kj;
                if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w) continue;
                f(((n * g.in_c + c) * g.in_h + iy) * g.in_w + ix,
                  ((o * g.in_c + c) * g.kh + ki) * g.kw + kj, yi);
              }
        }
}

// The bias's gradient: dy summed over the batch and the pixels of each channel.
std::vector<double> channel_sums(const Conv2dDims& g, const Tensor& dy) {
  std::vector<double> sums(static_cast<std::size_t>(g.out_c), 0.0);
  for (std::int64_t i = 0; i < dy.size(); ++i)
    sums[(i / g.pixels()) % g.out_c] += dy.at(i);
  return sums;
}

class ReferenceConv final : public ConvKernels {
 public:
  void conv2d(const Conv2dDims& g, const Tensor& x, const Tensor& w, const Tensor* bias,
              Tensor& y) const override {
    reference::count_kernel_call();
    const std::vector<double> xv = conv_operand(x), wv = conv_operand(w);
    std::vector<double> out(static_cast<std::size_t>(y.size()), 0.0);
    if (bias)
      for (std::int64_t i = 0; i < y.size(); ++i)
        out[i] = bias->at((i / g.pixels()) % g.out_c);
    for_each_tap(
        g, [&](std::int64_t xi, std::int64_t wi, std::int64_t yi) { out[yi] += xv[xi] * wv[wi]; });
    store(y, out);
  }

  void conv2d_input_grad(const Conv2dDims& g, const Tensor& dy, const Tensor& w,
                         Tensor& dx) const override {
    reference::count_kernel_call();
    const std::vector<double> dyv = conv_operand(dy), wv = conv_operand(w);
    std::vector<double> out(static_cast<std::size_t>(dx.size()), 0.0);
    for_each_tap(
        g, [&](std::int64_t xi, std::int64_t wi, std::int64_t yi) { out[xi] += dyv[yi] * wv[wi]; });
    store(dx, out);
  }

  void conv2d_weight_grad(const Conv2dDims& g, const Tensor& x, const Tensor& dy,
                          Tensor& dw) const override {
    reference::count_kernel_call();
    const std::vector<double> xv = conv_operand(x), dyv = conv_operand(dy);
    std::vector<double> out(static_cast<std::size_t>(dw.size()), 0.0);
    for_each_tap(
        g, [&](std::int64_t xi, std::int64_t wi, std::int64_t yi) { out[wi] += dyv[yi] * xv[xi]; });
    store(dw, out);
  }

  void conv2d_backward(const Conv2dDims& g, const Tensor& x, const Tensor& w, const Tensor& dy,
                       GradOut* dx, GradOut* dw, GradOut* db) const override {
    reference::count_kernel_call();
    const std::vector<double> xv = conv_operand(x), wv = conv_operand(w), dyv = conv_operand(dy);
    std::vector<double> x_out(dx ? static_cast<std::size_t>(x.size()) : 0, 0.0);
    std::vector<double> w_out(dw ? static_cast<std::size_t>(w.size()) : 0, 0.0);
    for_each_tap(g, [&](std::int64_t xi, std::int64_t wi, std::int64_t yi) {
      if (dx) x_out[xi] += dyv[yi] * wv[wi];
      if (dw) w_out[wi] += dyv[yi] * xv[xi];
    });
    if (dx) store(dx->tensor, x_out, dx->accumulate);
    if (dw) store(dw->tensor, w_out, dw->accumulate);
    if (db) store(db->tensor, channel_sums(g, dy), db->accumulate);
  }
};

}  // namespace

const ConvKernels& reference_conv() {
  static const ReferenceConv kernels;
  return kernels;
}

}  // namespace descent
