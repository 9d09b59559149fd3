// The cpu normalization kernels. Batch normalization's statistics and its backward run one channel
// per loop iteration, split across threads: each channel's sums are added in one fixed order
// (eight double lanes over its values, then the lanes in turn), so results do not depend on the
// thread count. The channel's values (N·S floats) stay in cache between the passes. Layer
// normalization runs one row per iteration; its parameters' gradients are summed over a fixed
// number of row chunks, then the chunks in order.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/backend/cpu/cpu_backend.h"
#include "core/backend/cpu/lane_sum.h"
#include "core/parallel.h"

namespace descent {
namespace {

// x as (N, C, S), S the product of the axes after the channels.
struct ChannelLayout {
  std::int64_t batch = 1, channels = 1, spatial = 1;

  explicit ChannelLayout(const Shape& shape) : batch(shape[0]), channels(shape[1]) {
    for (std::size_t k = 2; k < shape.size(); ++k)
      spatial *= shape[k];
  }
  std::int64_t row(std::int64_t n, std::int64_t c) const { return (n * channels + c) * spatial; }
};

// kTerms sums over channel c's offsets i at once, each in eight double lanes that the compiler
// vectorises: term(i, k, lanes) adds offset i's terms into lanes[t][k]. The lanes are added in a
// fixed order into out[t].
template <int kTerms, class Term>
void channel_sums(const ChannelLayout& l, std::int64_t c, const Term& term, double (&out)[kTerms]) {
  double lanes[kTerms][8] = {};
  for (std::int64_t n = 0; n < l.batch; ++n) {
    const std::int64_t row = l.row(n, c);
    std::int64_t s = 0;
    for (; s + 8 <= l.spatial; s += 8)
      for (int k = 0; k < 8; ++k)
        term(row + s + k, k, lanes);
    for (; s < l.spatial; ++s)
      term(row + s, static_cast<int>(s & 7), lanes);
  }
  for (int t = 0; t < kTerms; ++t) {
    out[t] = 0.0;
    for (double lane : lanes[t])
      out[t] += lane;
  }
}

// Calls body(row, c) for every (sample, channel) row of x, split across threads by sample: the
// row's S values start at offset `row`.
template <class Body>
void for_each_row(const ChannelLayout& l, const Body& body) {
  parallel_for(l.batch, l.batch * l.channels * l.spatial, [=](std::int64_t n) {
    for (std::int64_t c = 0; c < l.channels; ++c)
      body(l.row(n, c), c);
  });
}

// Writes one double sum per channel into a parameter's gradient (dγ, dβ, dscale, dshift).
template <class T>
void store_channel_sums(GradOut& out, const std::vector<double>& sums) {
  write_grad<T>(out, [&](auto store) {
    for (std::size_t c = 0; c < sums.size(); ++c)
      store(static_cast<std::int64_t>(c), static_cast<T>(sums[c]));
  });
}

template <class T>
T per_channel(const Tensor* t, std::int64_t c, T otherwise) {
  return t ? t->data<T>()[c] : otherwise;
}

// Layer normalization's parameter gradients are summed in this many chunks of rows, whatever the
// thread count.
constexpr std::int64_t kRowChunks = 64;

class CpuNorm final : public NormKernels {
 public:
  void batch_norm(const Tensor& x, const Tensor* gamma, const Tensor* beta, double epsilon,
                  Tensor& y, Tensor& mean, Tensor& variance) const override {
    const ChannelLayout l(x.shape());
    const double count = static_cast<double>(l.batch * l.spatial);
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      T* yv = y.data<T>();
      T* means = mean.data<T>();
      T* variances = variance.data<T>();
      parallel_for(l.channels, 3 * x.size(), [=](std::int64_t c) {
        double total[1];
        channel_sums<1>(
            l, c, [xv](std::int64_t i, int k, auto& lanes) { lanes[0][k] += xv[i]; }, total);
        const double m = total[0] / count;
        double squares[1];
        channel_sums<1>(
            l, c,
            [xv, m](std::int64_t i, int k, auto& lanes) {
              const double d = xv[i] - m;
              lanes[0][k] += d * d;
            },
            squares);
        const double var = squares[0] / count;
        means[c] = static_cast<T>(m);
        variances[c] = static_cast<T>(var);
        const T centre = static_cast<T>(m);
        const T factor = static_cast<T>(per_channel<T>(gamma, c, T{1}) / std::sqrt(var + epsilon));
        const T offset = per_channel<T>(beta, c, T{0});
        for (std::int64_t n = 0; n < l.batch; ++n) {
          const std::int64_t row = l.row(n, c);
          for (std::int64_t s = row; s < row + l.spatial; ++s)
            yv[s] = (xv[s] - centre) * factor + offset;
        }
      });
    });
  }

  void batch_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& mean,
                           const Tensor& variance, const Tensor* gamma, double epsilon, GradOut* dx,
                           GradOut* dgamma, GradOut* dbeta) const override {
    const ChannelLayout l(x.shape());
    const double count = static_cast<double>(l.batch * l.spatial);
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      const T* dyv = dy.data<T>();
      const T* means = mean.data<T>();
      const T* variances = variance.data<T>();
      // Σ dy and Σ dy·x̂ of each channel, for dβ and dγ.
      std::vector<double> dy_sums(l.channels), dy_xhat_sums(l.channels);
      double* dy_sum = dy_sums.data();
      double* dy_xhat_sum = dy_xhat_sums.data();
      const std::int64_t work = 2 * x.size();
      // One pass for the sums, then (when dx is wanted) one for dx while the channel is in cache.
      const auto backward = [=](bool want_dx, auto store) {
        parallel_for(l.channels, work, [=](std::int64_t c) {
          const T centre = means[c];
          const double inv_std = 1.0 / std::sqrt(double(variances[c]) + epsilon);
          double sums[2];
          channel_sums<2>(
              l, c,
              [xv, dyv, centre](std::int64_t i, int k, auto& lanes) {
                lanes[0][k] += dyv[i];
                lanes[1][k] += double(dyv[i]) * double(xv[i] - centre);
              },
              sums);
          dy_sum[c] = sums[0];
          dy_xhat_sum[c] = sums[1] * inv_std;
          if (!want_dx) return;
          // dx = γ·inv_std · (dy − Σdy/M − (x − mean) · inv_std·dγ/M), dγ = inv_std · sums[1].
          const T factor = static_cast<T>(per_channel<T>(gamma, c, T{1}) * inv_std);
          const T shift = static_cast<T>(sums[0] / count);
          const T slope = static_cast<T>(inv_std * inv_std * sums[1] / count);
          for (std::int64_t n = 0; n < l.batch; ++n) {
            const std::int64_t row = l.row(n, c);
            for (std::int64_t s = row; s < row + l.spatial; ++s)
              store(s, factor * (dyv[s] - shift - (xv[s] - centre) * slope));
          }
        });
      };
      if (dx)
        write_grad<T>(*dx, [&](auto store) { backward(true, store); });
      else
        backward(false, [](std::int64_t, T) {});
      if (dgamma) store_channel_sums<T>(*dgamma, dy_xhat_sums);
      if (dbeta) store_channel_sums<T>(*dbeta, dy_sums);
    });
  }

  void layer_norm(const Tensor& x, const Tensor* gamma, const Tensor* beta, double epsilon,
                  Tensor& y, Tensor& mean, Tensor& inv_std) const override {
    const std::int64_t d = x.shape().back(), rows = x.size() / d;
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      const T* gammas = gamma ? gamma->data<T>() : nullptr;
      const T* betas = beta ? beta->data<T>() : nullptr;
      T* yv = y.data<T>();
      T* means = mean.data<T>();
      T* inv_stds = inv_std.data<T>();
      parallel_for(rows, 3 * x.size(), [=](std::int64_t r) {
        const T* in = xv + r * d;
        T* out = yv + r * d;
        const double m = cpu::lane_sum<double>(d, [in](std::int64_t j) { return in[j]; }) / d;
        const double var = cpu::lane_sum<double>(d,
                                                 [in, m](std::int64_t j) {
                                                   const double v = in[j] - m;
                                                   return v * v;
                                                 }) /
                           d;
        const T centre = static_cast<T>(m), scale = static_cast<T>(1.0 / std::sqrt(var + epsilon));
        means[r] = centre;
        inv_stds[r] = scale;
        for (std::int64_t j = 0; j < d; ++j)
          out[j] =
              (in[j] - centre) * scale * (gammas ? gammas[j] : T{1}) + (betas ? betas[j] : T{0});
      });
    });
  }

  void layer_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& mean,
                           const Tensor& inv_std, const Tensor* gamma, GradOut* dx, GradOut* dgamma,
                           GradOut* dbeta) const override {
    const std::int64_t d = x.shape().back(), rows = x.size() / d;
    const std::int64_t chunk = (rows + kRowChunks - 1) / kRowChunks;
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      const T* dyv = dy.data<T>();
      const T* means = mean.data<T>();
      const T* inv_stds = inv_std.data<T>();
      const T* gammas = gamma ? gamma->data<T>() : nullptr;
      // Each chunk's Σ dy·x̂ and Σ dy, D values each.
      const bool want_sums = dgamma || dbeta;
      std::vector<double> partials(want_sums ? 2 * kRowChunks * d : 0);
      double* partial = partials.data();
      const auto backward = [=](bool want_dx, auto store) {
        parallel_for(kRowChunks, 4 * x.size(), [=](std::int64_t c) {
          double* dy_xhat_sum = want_sums ? partial + 2 * c * d : nullptr;
          double* dy_sum = want_sums ? dy_xhat_sum + d : nullptr;
          for (std::int64_t r = c * chunk; r < std::min(rows, (c + 1) * chunk); ++r) {
            const T* in = xv + r * d;
            const T* dy_row = dyv + r * d;
            const T centre = means[r], scale = inv_stds[r];
            const auto xhat = [=](std::int64_t j) { return (in[j] - centre) * scale; };
            const auto g = [=](std::int64_t j) {
              return gammas ? dy_row[j] * gammas[j] : dy_row[j];
            };
            if (want_sums)
              for (std::int64_t j = 0; j < d; ++j) {
                dy_xhat_sum[j] += double(dy_row[j]) * double(xhat(j));
                dy_sum[j] += dy_row[j];
              }
            if (!want_dx) continue;
            // dx = inv_std · (g − mean(g) − x̂ · mean(g · x̂))
            const T shift = static_cast<T>(cpu::lane_sum<double>(d, g) / d);
            const T slope = static_cast<T>(
                cpu::lane_sum<double>(d, [=](std::int64_t j) { return g(j) * xhat(j); }) / d);
            for (std::int64_t j = 0; j < d; ++j)
              store(r * d + j, scale * (g(j) - shift - xhat(j) * slope));
          }
        });
      };
      if (dx)
        write_grad<T>(*dx, [&](auto store) { backward(true, store); });
      else
        backward(false, [](std::int64_t, T) {});
      if (!want_sums) return;
      std::vector<double> dy_xhat_sums(d), dy_sums(d);
      for (std::int64_t c = 0; c < kRowChunks; ++c)
        for (std::int64_t j = 0; j < d; ++j) {
          dy_xhat_sums[j] += partial[2 * c * d + j];
          dy_sums[j] += partial[2 * c * d + d + j];
        }
      if (dgamma) store_channel_sums<T>(*dgamma, dy_xhat_sums);
      if (dbeta) store_channel_sums<T>(*dbeta, dy_sums);
    });
  }

  void channel_affine(const Tensor& x, const Tensor& scale, const Tensor& shift,
                      Tensor& y) const override {
    const ChannelLayout l(x.shape());
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      const T* scales = scale.data<T>();
      const T* shifts = shift.data<T>();
      T* yv = y.data<T>();
      const std::int64_t spatial = l.spatial;
      for_each_row(l, [=](std::int64_t row, std::int64_t c) {
        const T a = scales[c], b = shifts[c];
        for (std::int64_t i = row; i < row + spatial; ++i)
          yv[i] = xv[i] * a + b;
      });
    });
  }

  void channel_affine_backward(const Tensor& x, const Tensor& dy, const Tensor& scale, GradOut* dx,
                               GradOut* dscale, GradOut* dshift) const override {
    const ChannelLayout l(x.shape());
    visit_dtype(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* xv = x.data<T>();
      const T* dyv = dy.data<T>();
      const T* scales = scale.data<T>();
      if (dx)
        write_grad<T>(*dx, [&](auto store) {
          const std::int64_t spatial = l.spatial;
          for_each_row(l, [=](std::int64_t row, std::int64_t c) {
            const T a = scales[c];
            for (std::int64_t i = row; i < row + spatial; ++i)
              store(i, dyv[i] * a);
          });
        });
      if (!dscale && !dshift) return;
      std::vector<double> dy_x_sums(l.channels), dy_sums(l.channels);
      double* dy_x_sum = dy_x_sums.data();
      double* dy_sum = dy_sums.data();
      parallel_for(l.channels, 2 * x.size(), [=](std::int64_t c) {
        double sums[2];
        channel_sums<2>(
            l, c,
            [xv, dyv](std::int64_t i, int k, auto& lanes) {
              lanes[0][k] += double(dyv[i]) * double(xv[i]);
              lanes[1][k] += dyv[i];
            },
            sums);
        dy_x_sum[c] = sums[0];
        dy_sum[c] = sums[1];
      });
      if (dscale) store_channel_sums<T>(*dscale, dy_x_sums);
      if (dshift) store_channel_sums<T>(*dshift, dy_sums);
    });
  }
};

}  // namespace

const NormKernels& cpu_norm() {
  static const CpuNorm kernels;
  return kernels;
}

}  // namespace descent
