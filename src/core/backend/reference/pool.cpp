#include <cmath>
#include <cstdint>
#include <vector>

#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::store;

// The index in x of the maximum of window (oy, ox) of plane p: the window read in row-major
// order, keeping the first maximum, and the first NaN over any number.
std::int64_t window_argmax(const PoolWindow& g, const Tensor& x, std::int64_t p, std::int64_t oy,
                           std::int64_t ox) {
  std::int64_t best = -1;
  for (std::int64_t i = 0; i < g.size; ++i)
    for (std::int64_t j = 0; j < g.size; ++j) {
      const std::int64_t at = (p * g.in_h + oy * g.stride + i) * g.in_w + ox * g.stride + j;
      if (best < 0) {
        best = at;
        continue;
      }
      const double v = x.at(at), top = x.at(best);
      if (v > top || (std::isnan(v) && !std::isnan(top))) best = at;
    }
  return best;
}

// Calls f(xi, yi) for each output value yi with xi its window's maximum.
template <class F>
void for_each_window(const PoolWindow& g, const Tensor& x, F f) {
  for (std::int64_t p = 0; p < g.planes; ++p)
    for (std::int64_t oy = 0; oy < g.out_h; ++oy)
      for (std::int64_t ox = 0; ox < g.out_w; ++ox)
        f(window_argmax(g, x, p, oy, ox), (p * g.out_h + oy) * g.out_w + ox);
}

// Calls f(xi, yi) for each output value yi and each index xi of its window.
template <class F>
void for_each_window_value(const PoolWindow& g, F f) {
  for (std::int64_t p = 0; p < g.planes; ++p)
    for (std::int64_t oy = 0; oy < g.out_h; ++oy)
      for (std::int64_t ox = 0; ox < g.out_w; ++ox)
        for (std::int64_t i = 0; i < g.size; ++i)
          for (std::int64_t j = 0; j < g.size; ++j)
            f((p * g.in_h + oy * g.stride + i) * g.in_w + ox * g.stride + j,
              (p * g.out_h + oy) * g.out_w + ox);
}

class ReferencePool final : public PoolKernels {
 public:
  void max_pool2d(const PoolWindow& g, const Tensor& x, Tensor& y) const override {
    reference::count_kernel_call();
    max_pool2d_gather(g, x, x, y);
  }

  void max_pool2d_grad(const PoolWindow& g, const Tensor& x, const Tensor& dy,
                       GradOut dx) const override {
    reference::count_kernel_call();
    store(dx.tensor, scatter(g, x, dy), dx.accumulate);
  }

  void max_pool2d_scatter(const PoolWindow& g, const Tensor& x, const Tensor& v,
                          Tensor& y) const override {
    reference::count_kernel_call();
    store(y, scatter(g, x, v));
  }

  void max_pool2d_gather(const PoolWindow& g, const Tensor& x, const Tensor& v,
                         Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(y.size()));
    for_each_window(g, x, [&](std::int64_t xi, std::int64_t yi) { out[yi] = v.at(xi); });
    store(y, out);
  }

  void avg_pool2d(const PoolWindow& g, const Tensor& x, Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(y.size()), 0.0);
    for_each_window_value(g, [&](std::int64_t xi, std::int64_t yi) { out[yi] += x.at(xi); });
    for (double& v : out)
      v /= static_cast<double>(g.size * g.size);
    store(y, out);
  }

  void avg_pool2d_grad(const PoolWindow& g, const Tensor& dy, GradOut dx) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(dx.tensor.size()), 0.0);
    const double share = 1.0 / static_cast<double>(g.size * g.size);
    for_each_window_value(g,
                          [&](std::int64_t xi, std::int64_t yi) { out[xi] += dy.at(yi) * share; });
    store(dx.tensor, out, dx.accumulate);
  }

 private:
  static std::vector<double> scatter(const PoolWindow& g, const Tensor& x, const Tensor& v) {
    std::vector<double> out(static_cast<std::size_t>(x.size()), 0.0);
    for_each_window(g, x, [&](std::int64_t xi, std::int64_t yi) { out[xi] += v.at(yi); });
    return out;
  }
};

}  // namespace

const PoolKernels& reference_pool() {
  static const ReferencePool kernels;
  return kernels;
}

}  // namespace descent
