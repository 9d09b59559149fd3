// The cpu loss kernels. The float32 cross-entropy is fused: one pass over each row's logits gives
// its softmax statistics, its loss and its gradient, rows in parallel for large batches, the loss
// summed in fixed chunks so the result does not depend on the thread count.
#include <algorithm>
#include <bit>
#include <cmath>

#include "core/backend/cpu/cpu_backend.h"
#include "core/backend/cpu/fast_math.h"
#include "core/backend/cpu/lane_sum.h"
#include "core/deterministic_sum.h"
#include "core/parallel.h"

namespace descent {
namespace {

// Writes out[j] = exp(x[j] - max) for j in [0, n) and returns their sum.
double exp_shifted(const float* x, std::int64_t n, float max, float* out) {
#pragma omp simd
  for (std::int64_t j = 0; j < n; ++j)
    out[j] = cpu::exp(x[j] - max);
  return cpu::lane_sum<float>(n, [out](std::int64_t j) { return out[j]; });
}

// Softmax statistics of one row: its first maximum, and `rest`, the sum of exp(x_j - max) over
// all other classes, so that Σ exp(x_j - max) = 1 + rest and lse = max + log1p(rest) keeps its
// precision for confident rows. When `e` is not null it receives exp(x_j - max) for every j.
struct RowSoftmax {
  float max;
  std::int64_t argmax;
  double rest;
};

RowSoftmax row_softmax(const float* x, std::int64_t classes, float* e) {
  float lanes[8];
  std::fill_n(lanes, 8, x[0]);
  std::int64_t j = 0;
  for (; j + 8 <= classes; j += 8)
    for (int k = 0; k < 8; ++k)
      lanes[k] = x[j + k] > lanes[k] ? x[j + k] : lanes[k];
  for (; j < classes; ++j)
    lanes[0] = x[j] > lanes[0] ? x[j] : lanes[0];
  RowSoftmax s{*std::max_element(lanes, lanes + 8), 0, 0.0};
  while (s.argmax < classes && !(x[s.argmax] == s.max))
    ++s.argmax;
  if (s.argmax == classes) s.argmax = 0;  // a NaN row: its loss is NaN anyway

  const float* after = x + s.argmax + 1;
  const std::int64_t before_count = s.argmax, after_count = classes - s.argmax - 1;
  if (e) {
    s.rest = exp_shifted(x, before_count, s.max, e) +
             exp_shifted(after, after_count, s.max, e + s.argmax + 1);
    e[s.argmax] = 1.0f;
    return s;
  }
  constexpr std::int64_t kBlock = 256;
  float block[kBlock];
  for (std::int64_t i = 0; i < before_count; i += kBlock)
    s.rest += exp_shifted(x + i, std::min(kBlock, before_count - i), s.max, block);
  for (std::int64_t i = 0; i < after_count; i += kBlock)
    s.rest += exp_shifted(after + i, std::min(kBlock, after_count - i), s.max, block);
  return s;
}

// t'_rj, from a label or a target row.
double smoothed_weight(const CrossEntropyTargets& t, std::int64_t r, std::int64_t j,
                       std::int64_t classes) {
  const double w = t.labels ? (static_cast<std::int64_t>(t.labels->at(r)) == j ? 1.0 : 0.0)
                            : t.targets->at(r * classes + j);
  return (1.0 - t.smoothing) * w + t.smoothing / static_cast<double>(classes);
}

// The mean over rows of Σ_j t'_j (lse(x) - x_j) in float64 (the float32 paths are fused below).
double cross_entropy_f64(const Tensor& logits, const CrossEntropyTargets& t) {
  const std::int64_t batch = logits.dim(0), classes = logits.dim(1);
  const double* x = logits.data<double>();
  double total = 0.0;
  for (std::int64_t r = 0; r < batch; ++r) {
    const double* xr = x + r * classes;
    const double top = *std::max_element(xr, xr + classes);
    double sum = 0.0;
    for (std::int64_t j = 0; j < classes; ++j)
      sum += std::exp(xr[j] - top);
    const double log_sum = std::log(sum);
    for (std::int64_t j = 0; j < classes; ++j)
      total += smoothed_weight(t, r, j, classes) * ((top - xr[j]) + log_sum);
  }
  return total / static_cast<double>(batch);
}

double sparse_cross_entropy_f32(const Tensor& logits, const Tensor& labels, double s,
                                Tensor* dlogits) {
  const std::int64_t batch = logits.dim(0), classes = logits.dim(1);
  const float* x = logits.data();
  const float* t = labels.data();
  float* d = dlogits ? dlogits->data() : nullptr;
  const double inv_batch = 1.0 / static_cast<double>(batch);
  const double s_per_class = s / static_cast<double>(classes);

  const double total = deterministic_sum(batch, classes, [&](std::int64_t r) {
    const float* xr = x + r * classes;
    float* dr = d ? d + r * classes : nullptr;
    const auto label = static_cast<std::int64_t>(t[r]);
    const RowSoftmax sm = row_softmax(xr, classes, dr);
    const double log_sum = std::log1p(sm.rest);
    // lse - x_label, and with smoothing the mean over classes of lse - x_j.
    double loss = (static_cast<double>(sm.max) - xr[label]) + log_sum;
    if (s > 0.0) {
      const float m = sm.max;
      const double mean_gap =
          cpu::lane_sum<float>(classes, [xr, m](std::int64_t j) { return m - xr[j]; }) /
              static_cast<double>(classes) +
          log_sum;
      loss = (1.0 - s) * loss + s * mean_gap;
    }
    if (dr) {
      const double inv_sum = 1.0 / (1.0 + sm.rest);
      // softmax_label - 1 without cancellation when the label is the most likely class.
      const double p_label_minus_1 =
          label == sm.argmax ? -sm.rest * inv_sum : dr[label] * inv_sum - 1.0;
      const auto a = static_cast<float>(inv_sum * inv_batch);
      const auto b = static_cast<float>(s_per_class * inv_batch);
      for (std::int64_t j = 0; j < classes; ++j)
        dr[j] = dr[j] * a - b;
      dr[label] = static_cast<float>((p_label_minus_1 + s - s_per_class) * inv_batch);
    }
    return loss;
  });
  return total / static_cast<double>(batch);
}

double dense_cross_entropy_f32(const Tensor& logits, const Tensor& targets, double smoothing,
                               Tensor* dlogits) {
  const std::int64_t batch = logits.dim(0), classes = logits.dim(1);
  const float* x = logits.data();
  const float* t = targets.data();
  float* d = dlogits ? dlogits->data() : nullptr;
  const double keep = 1.0 - smoothing, inv_batch = 1.0 / static_cast<double>(batch);
  const double s_per_class = smoothing / static_cast<double>(classes);

  const double total = deterministic_sum(batch, classes, [&](std::int64_t r) {
    const float* xr = x + r * classes;
    const float* tr = t + r * classes;
    float* dr = d ? d + r * classes : nullptr;
    const RowSoftmax sm = row_softmax(xr, classes, dr);
    const double log_sum = std::log1p(sm.rest);
    // Σ t'_j (lse - x_j): every term is non-negative, so no cancellation.
    const auto keep_f = static_cast<float>(keep), spc = static_cast<float>(s_per_class);
    const float m = sm.max, lse_gap = static_cast<float>(log_sum);
    const double weight =
        cpu::lane_sum<float>(classes, [&](std::int64_t j) { return keep_f * tr[j] + spc; });
    const double loss = cpu::lane_sum<float>(
        classes, [&](std::int64_t j) { return (keep_f * tr[j] + spc) * ((m - xr[j]) + lse_gap); });
    if (dr) {
      const auto a = static_cast<float>(weight / (1.0 + sm.rest) * inv_batch);
      const auto kt = static_cast<float>(keep * inv_batch),
                 kb = static_cast<float>(s_per_class * inv_batch);
      for (std::int64_t j = 0; j < classes; ++j)
        dr[j] = dr[j] * a - (kt * tr[j] + kb);
    }
    return loss;
  });
  return total / static_cast<double>(batch);
}

class CpuLoss final : public LossKernels {
 public:
  double softmax_cross_entropy(const Tensor& logits, const CrossEntropyTargets& targets,
                               Tensor* dlogits) const override {
    if (logits.dtype() == DType::f64) return cross_entropy_f64(logits, targets);
    if (targets.labels)
      return sparse_cross_entropy_f32(logits, *targets.labels, targets.smoothing, dlogits);
    return dense_cross_entropy_f32(logits, *targets.targets, targets.smoothing, dlogits);
  }

  void cross_entropy_weights(const CrossEntropyTargets& targets, Tensor& weights,
                             Tensor& row_total) const override {
    const std::int64_t batch = weights.dim(0), classes = weights.dim(1);
    for (std::int64_t r = 0; r < batch; ++r) {
      double total = 0.0;
      for (std::int64_t j = 0; j < classes; ++j)
        total += smoothed_weight(targets, r, j, classes);
      visit_dtype(weights.dtype(), [&](auto zero) {
        using T = decltype(zero);
        for (std::int64_t j = 0; j < classes; ++j) {
          weights.data<T>()[r * classes + j] =
              static_cast<T>(smoothed_weight(targets, r, j, classes));
          row_total.data<T>()[r * classes + j] = static_cast<T>(total);
        }
      });
    }
  }

  void scale_gradient(const Tensor& d, const Tensor& dy, GradOut dpred) const override {
    const float g = dy[0];
    const std::int64_t n = d.size();
    const float* dv = d.data();
    write_grad<float>(dpred, [&](auto store) {
      parallel_for(n, n, [=](std::int64_t i) { store(i, g * dv[i]); });
    });
  }
};

}  // namespace

const LossKernels& cpu_loss() {
  static const CpuLoss kernels;
  return kernels;
}

}  // namespace descent
