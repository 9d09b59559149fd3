#include <algorithm>
#include <cmath>
#include <vector>

#include "core/backend/reference/reference_backend.h"
#include "core/backend/reference/store.h"

namespace descent {
namespace {

using reference::store;

// t'_rj, from a label or a target row.
double smoothed_target(const CrossEntropyTargets& t, std::int64_t r, std::int64_t j,
                       std::int64_t classes) {
  const double w = t.labels ? (static_cast<std::int64_t>(t.labels->at(r)) == j ? 1.0 : 0.0)
                            : t.targets->at(r * classes + j);
  return (1.0 - t.smoothing) * w + t.smoothing / static_cast<double>(classes);
}

class ReferenceLoss final : public LossKernels {
 public:
  double softmax_cross_entropy(const Tensor& logits, const CrossEntropyTargets& targets,
                               Tensor* dlogits) const override {
    reference::count_kernel_call();
    const std::int64_t batch = logits.dim(0), classes = logits.dim(1);
    std::vector<double> d(logits.size());
    double total = 0.0;
    for (std::int64_t r = 0; r < batch; ++r) {
      double top = logits.at(r * classes);
      for (std::int64_t j = 1; j < classes; ++j)
        top = std::max(top, logits.at(r * classes + j));
      double sum = 0.0;
      for (std::int64_t j = 0; j < classes; ++j)
        sum += std::exp(logits.at(r * classes + j) - top);
      const double lse = top + std::log(sum);
      double weight = 0.0;
      for (std::int64_t j = 0; j < classes; ++j) {
        const double t = smoothed_target(targets, r, j, classes);
        total += t * (lse - logits.at(r * classes + j));
        weight += t;
      }
      for (std::int64_t j = 0; j < classes; ++j) {
        const double p = std::exp(logits.at(r * classes + j) - lse);
        d[r * classes + j] =
            (p * weight - smoothed_target(targets, r, j, classes)) / static_cast<double>(batch);
      }
    }
    if (dlogits) store(*dlogits, d);
    return total / static_cast<double>(batch);
  }

  void cross_entropy_weights(const CrossEntropyTargets& targets, Tensor& weights,
                             Tensor& row_total) const override {
    reference::count_kernel_call();
    const std::int64_t batch = weights.dim(0), classes = weights.dim(1);
    std::vector<double> w(weights.size()), total(weights.size());
    for (std::int64_t r = 0; r < batch; ++r) {
      double sum = 0.0;
      for (std::int64_t j = 0; j < classes; ++j) {
        w[r * classes + j] = smoothed_target(targets, r, j, classes);
        sum += w[r * classes + j];
      }
      for (std::int64_t j = 0; j < classes; ++j)
        total[r * classes + j] = sum;
    }
    store(weights, w);
    store(row_total, total);
  }

  void scale_gradient(const Tensor& d, const Tensor& dy, GradOut dpred) const override {
    reference::count_kernel_call();
    std::vector<double> out(d.size());
    for (std::int64_t i = 0; i < d.size(); ++i)
      out[i] = dy.at(0) * d.at(i);
    store(dpred.tensor, out, dpred.accumulate);
  }
};

}  // namespace

const LossKernels& reference_loss() {
  static const ReferenceLoss kernels;
  return kernels;
}

}  // namespace descent
