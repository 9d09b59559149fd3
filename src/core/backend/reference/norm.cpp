#include <cmath>
#include <vector>

#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::store;

// x as (N, C, S): the offsets of channel c's values.
std::vector<std::int64_t> channel_offsets(const Shape& shape, std::int64_t c) {
  const std::int64_t batch = shape[0], channels = shape[1];
  std::int64_t spatial = 1;
  for (std::size_t k = 2; k < shape.size(); ++k)
    spatial *= shape[k];
  std::vector<std::int64_t> offsets;
  for (std::int64_t n = 0; n < batch; ++n)
    for (std::int64_t s = 0; s < spatial; ++s)
      offsets.push_back((n * channels + c) * spatial + s);
  return offsets;
}

double per_channel_or(const Tensor* t, std::int64_t i, double otherwise) {
  return t ? t->at(i) : otherwise;
}

class ReferenceNorm final : public NormKernels {
 public:
  void batch_norm(const Tensor& x, const Tensor* gamma, const Tensor* beta, double epsilon,
                  Tensor& y, Tensor& mean, Tensor& variance) const override {
    reference::count_kernel_call();
    const std::int64_t channels = x.shape()[1];
    std::vector<double> out(static_cast<std::size_t>(x.size())), means(channels), vars(channels);
    for (std::int64_t c = 0; c < channels; ++c) {
      const std::vector<std::int64_t> at = channel_offsets(x.shape(), c);
      const auto m = static_cast<double>(at.size());
      double total = 0.0;
      for (std::int64_t i : at)
        total += x.at(i);
      means[c] = total / m;
      double squares = 0.0;
      for (std::int64_t i : at)
        squares += (x.at(i) - means[c]) * (x.at(i) - means[c]);
      vars[c] = squares / m;
      const double inv_std = 1.0 / std::sqrt(vars[c] + epsilon);
      for (std::int64_t i : at)
        out[i] = (x.at(i) - means[c]) * inv_std * per_channel_or(gamma, c, 1.0) +
                 per_channel_or(beta, c, 0.0);
    }
    store(y, out);
    store(mean, means);
    store(variance, vars);
  }

  void batch_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& mean,
                           const Tensor& variance, const Tensor* gamma, double epsilon, GradOut* dx,
                           GradOut* dgamma, GradOut* dbeta) const override {
    reference::count_kernel_call();
    const std::int64_t channels = x.shape()[1];
    std::vector<double> dxs(static_cast<std::size_t>(x.size())), dgammas(channels),
        dbetas(channels);
    for (std::int64_t c = 0; c < channels; ++c) {
      const std::vector<std::int64_t> at = channel_offsets(x.shape(), c);
      const auto m = static_cast<double>(at.size());
      const double inv_std = 1.0 / std::sqrt(variance.at(c) + epsilon);
      const auto xhat = [&](std::int64_t i) { return (x.at(i) - mean.at(c)) * inv_std; };
      for (std::int64_t i : at) {
        dbetas[c] += dy.at(i);
        dgammas[c] += dy.at(i) * xhat(i);
      }
      const double k = per_channel_or(gamma, c, 1.0) * inv_std / m;
      for (std::int64_t i : at)
        dxs[i] = k * (m * dy.at(i) - dbetas[c] - xhat(i) * dgammas[c]);
    }
    if (dx) store(dx->tensor, dxs, dx->accumulate);
    if (dgamma) store(dgamma->tensor, dgammas, dgamma->accumulate);
    if (dbeta) store(dbeta->tensor, dbetas, dbeta->accumulate);
  }

  void layer_norm(const Tensor& x, const Tensor* gamma, const Tensor* beta, double epsilon,
                  Tensor& y, Tensor& mean, Tensor& inv_std) const override {
    reference::count_kernel_call();
    const std::int64_t d = x.shape().back(), rows = x.size() / d;
    std::vector<double> out(static_cast<std::size_t>(x.size())), means(rows), inv_stds(rows);
    for (std::int64_t r = 0; r < rows; ++r) {
      double total = 0.0;
      for (std::int64_t j = 0; j < d; ++j)
        total += x.at(r * d + j);
      means[r] = total / double(d);
      double squares = 0.0;
      for (std::int64_t j = 0; j < d; ++j)
        squares += (x.at(r * d + j) - means[r]) * (x.at(r * d + j) - means[r]);
      inv_stds[r] = 1.0 / std::sqrt(squares / double(d) + epsilon);
      for (std::int64_t j = 0; j < d; ++j)
        out[r * d + j] =
            (x.at(r * d + j) - means[r]) * inv_stds[r] * per_channel_or(gamma, j, 1.0) +
            per_channel_or(beta, j, 0.0);
    }
    store(y, out);
    store(mean, means);
    store(inv_std, inv_stds);
  }

  void layer_norm_backward(const Tensor& x, const Tensor& dy, const Tensor& mean,
                           const Tensor& inv_std, const Tensor* gamma, GradOut* dx, GradOut* dgamma,
                           GradOut* dbeta) const override {
    reference::count_kernel_call();
    const std::int64_t d = x.shape().back(), rows = x.size() / d;
    std::vector<double> dxs(static_cast<std::size_t>(x.size())), dgammas(d), dbetas(d);
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto xhat = [&](std::int64_t j) {
        return (x.at(r * d + j) - mean.at(r)) * inv_std.at(r);
      };
      const auto g = [&](std::int64_t j) {
        return dy.at(r * d + j) * per_channel_or(gamma, j, 1.0);
      };
      double g_mean = 0.0, g_xhat_mean = 0.0;
      for (std::int64_t j = 0; j < d; ++j) {
        g_mean += g(j) / double(d);
        g_xhat_mean += g(j) * xhat(j) / double(d);
        dgammas[j] += dy.at(r * d + j) * xhat(j);
        dbetas[j] += dy.at(r * d + j);
      }
      for (std::int64_t j = 0; j < d; ++j)
        dxs[r * d + j] = inv_std.at(r) * (g(j) - g_mean - xhat(j) * g_xhat_mean);
    }
    if (dx) store(dx->tensor, dxs, dx->accumulate);
    if (dgamma) store(dgamma->tensor, dgammas, dgamma->accumulate);
    if (dbeta) store(dbeta->tensor, dbetas, dbeta->accumulate);
  }

  void channel_affine(const Tensor& x, const Tensor& scale, const Tensor& shift,
                      Tensor& y) const override {
    reference::count_kernel_call();
    std::vector<double> out(static_cast<std::size_t>(x.size()));
    for (std::int64_t c = 0; c < x.shape()[1]; ++c)
      for (std::int64_t i : channel_offsets(x.shape(), c))
        out[i] = x.at(i) * scale.at(c) + shift.at(c);
    store(y, out);
  }

  void channel_affine_backward(const Tensor& x, const Tensor& dy, const Tensor& scale, GradOut* dx,
                               GradOut* dscale, GradOut* dshift) const override {
    reference::count_kernel_call();
    const std::int64_t channels = x.shape()[1];
    std::vector<double> dxs(static_cast<std::size_t>(x.size())), dscales(channels),
        dshifts(channels);
    for (std::int64_t c = 0; c < channels; ++c)
      for (std::int64_t i : channel_offsets(x.shape(), c)) {
        dxs[i] = dy.at(i) * scale.at(c);
        dscales[c] += dy.at(i) * x.at(i);
        dshifts[c] += dy.at(i);
      }
    if (dx) store(dx->tensor, dxs, dx->accumulate);
    if (dscale) store(dscale->tensor, dscales, dscale->accumulate);
    if (dshift) store(dshift->tensor, dshifts, dshift->accumulate);
  }
};

}  // namespace

const NormKernels& reference_norm() {
  static const ReferenceNorm kernels;
  return kernels;
}

}  // namespace descent
