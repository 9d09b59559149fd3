#include "core/ops/cross_entropy.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/parallel.h"

namespace descent {
namespace {

// Sums row_loss(r) over all rows in a fixed number of contiguous chunks, run in parallel when the
// work is large, then adds the chunk sums in order: the result is the same for any thread count.
template <class RowLoss>
double sum_over_rows(std::int64_t rows, std::int64_t cost_per_row, const RowLoss& row_loss) {
  constexpr std::int64_t kChunks = 64;
  std::array<double, kChunks> partial{};
  const std::int64_t chunk = (rows + kChunks - 1) / kChunks;
  const bool parallel = rows * cost_per_row >= kParallelGrain;
#pragma omp parallel for schedule(static) if (parallel)
  for (std::int64_t c = 0; c < kChunks; ++c) {
    double s = 0.0;
    const std::int64_t end = std::min(rows, (c + 1) * chunk);
    for (std::int64_t r = c * chunk; r < end; ++r)
      s += row_loss(r);
    partial[c] = s;
  }
  double total = 0.0;
  for (double p : partial)
    total += p;
  return total;
}

// Softmax statistics of one row: its first maximum, and the exponentials exp(x_j - max), written
// to `e` when it is not null. `rest` is the sum of the exponentials of all but the maximum, so
// softmax sum = 1 + rest and lse = max + log1p(rest).
struct RowSoftmax {
  float max;
  std::int64_t argmax;
  double rest;
};

RowSoftmax row_softmax(const float* x, std::int64_t classes, float* e) {
  RowSoftmax s{x[0], 0, 0.0};
  for (std::int64_t j = 1; j < classes; ++j)
    if (x[j] > s.max) {
      s.max = x[j];
      s.argmax = j;
    }
  for (std::int64_t j = 0; j < classes; ++j) {
    const float ej = j == s.argmax ? 1.0f : std::exp(x[j] - s.max);
    if (j != s.argmax) s.rest += ej;
    if (e) e[j] = ej;
  }
  return s;
}

void check_logits(const Variable& logits, const char* op) {
  if (logits.shape().size() != 2 || logits.shape()[0] == 0 || logits.shape()[1] == 0)
    throw InvalidArgument(fmt::format("{}: logits must have shape (batch, classes), got {}", op,
                                      shape_string(logits.shape())));
}

void check_smoothing(float label_smoothing, const char* op) {
  if (!(label_smoothing >= 0.0f && label_smoothing <= 1.0f))
    throw InvalidArgument(
        fmt::format("{}: label_smoothing must be in [0, 1], got {}", op, label_smoothing));
}

// The loss node: value `total / batch`; backward adds upstream · dlogits into the logits' grad.
Variable finish(Variable& y, double total, std::int64_t batch, Tensor dlogits) {
  y.value()[0] = static_cast<float>(total / static_cast<double>(batch));
  if (!y.needs_grad()) return y;
  y.set_backward([d = std::move(dlogits)](Node& self) {
    Node& in = *self.inputs[0];
    const float g = self.grad[0];
    bool accumulate = false;
    Tensor& dx = in.grad_for_write(accumulate);
    const std::int64_t n = d.size();
    const float* dv = d.data();
    float* out = dx.data();
#pragma omp parallel for schedule(static) if (n >= kParallelGrain)
    for (std::int64_t i = 0; i < n; ++i)
      out[i] = accumulate ? out[i] + g * dv[i] : g * dv[i];
  });
  return y;
}

}  // namespace

void check_class_labels(const Tensor& labels, std::int64_t batch, std::int64_t classes) {
  const bool shape_ok = (labels.rank() == 1 && labels.dim(0) == batch) ||
                        (labels.rank() == 2 && labels.dim(0) == batch && labels.dim(1) == 1);
  if (!shape_ok)
    throw InvalidArgument(fmt::format("labels of shape {} for a batch of {} rows (expected ({},))",
                                      shape_string(labels.shape()), batch, batch));
  for (std::int64_t i = 0; i < batch; ++i) {
    const float v = labels[i];
    if (!(v >= 0.0f && v < static_cast<float>(classes) && v == std::floor(v)))
      throw DataError(
          fmt::format("label {} at index {} is not an integer class in [0, {})", v, i, classes));
  }
}

Variable sparse_softmax_cross_entropy(const Variable& logits, const Tensor& labels,
                                      float label_smoothing) {
  constexpr const char* kOp = "sparse_softmax_cross_entropy";
  check_logits(logits, kOp);
  check_smoothing(label_smoothing, kOp);
  const std::int64_t batch = logits.shape()[0], classes = logits.shape()[1];
  check_class_labels(labels, batch, classes);

  Variable y = Variable::result({1}, {logits}, kOp);
  Tensor dlogits;
  if (y.needs_grad()) dlogits.resize(logits.shape());
  const float* x = logits.value().data();
  const float* t = labels.data();
  float* d = y.needs_grad() ? dlogits.data() : nullptr;
  const double s = label_smoothing, inv_batch = 1.0 / static_cast<double>(batch);
  const double s_per_class = s / static_cast<double>(classes);

  const double total = sum_over_rows(batch, classes, [&](std::int64_t r) {
    const float* xr = x + r * classes;
    float* dr = d ? d + r * classes : nullptr;
    const auto label = static_cast<std::int64_t>(t[r]);
    const RowSoftmax sm = row_softmax(xr, classes, dr);
    const double log_sum = std::log1p(sm.rest);
    // lse - x_label, and with smoothing the mean over classes of lse - x_j.
    double loss = (static_cast<double>(sm.max) - xr[label]) + log_sum;
    if (s > 0.0) {
      double mean_gap = 0.0;
      for (std::int64_t j = 0; j < classes; ++j)
        mean_gap += static_cast<double>(sm.max) - xr[j];
      mean_gap = mean_gap / static_cast<double>(classes) + log_sum;
      loss = (1.0 - s) * loss + s * mean_gap;
    }
    if (dr) {
      const double inv_sum = 1.0 / (1.0 + sm.rest);
      // softmax_label - 1 without cancellation when the label is the most likely class.
      const double p_label_minus_1 =
          label == sm.argmax ? -sm.rest * inv_sum : dr[label] * inv_sum - 1.0;
      for (std::int64_t j = 0; j < classes; ++j)
        dr[j] = static_cast<float>((dr[j] * inv_sum - s_per_class) * inv_batch);
      dr[label] = static_cast<float>((p_label_minus_1 + s - s_per_class) * inv_batch);
    }
    return loss;
  });
  return finish(y, total, batch, std::move(dlogits));
}

Variable softmax_cross_entropy(const Variable& logits, const Tensor& targets,
                               float label_smoothing) {
  constexpr const char* kOp = "softmax_cross_entropy";
  check_logits(logits, kOp);
  check_smoothing(label_smoothing, kOp);
  if (targets.shape() != logits.shape())
    throw InvalidArgument(fmt::format("{}: targets of shape {} for logits of shape {}", kOp,
                                      shape_string(targets.shape()), shape_string(logits.shape())));
  const std::int64_t batch = logits.shape()[0], classes = logits.shape()[1];

  Variable y = Variable::result({1}, {logits}, kOp);
  Tensor dlogits;
  if (y.needs_grad()) dlogits.resize(logits.shape());
  const float* x = logits.value().data();
  const float* t = targets.data();
  float* d = y.needs_grad() ? dlogits.data() : nullptr;
  const double keep = 1.0 - label_smoothing, inv_batch = 1.0 / static_cast<double>(batch);
  const double s_per_class = label_smoothing / static_cast<double>(classes);

  const double total = sum_over_rows(batch, classes, [&](std::int64_t r) {
    const float* xr = x + r * classes;
    const float* tr = t + r * classes;
    float* dr = d ? d + r * classes : nullptr;
    const RowSoftmax sm = row_softmax(xr, classes, dr);
    const double log_sum = std::log1p(sm.rest);
    // Σ t'_j (lse - x_j): every term is non-negative, so no cancellation.
    double loss = 0.0, weight = 0.0;
    for (std::int64_t j = 0; j < classes; ++j) {
      const double tj = keep * tr[j] + s_per_class;
      weight += tj;
      loss += tj * ((static_cast<double>(sm.max) - xr[j]) + log_sum);
    }
    if (dr) {
      const double scale = weight / (1.0 + sm.rest);
      for (std::int64_t j = 0; j < classes; ++j)
        dr[j] = static_cast<float>((dr[j] * scale - (keep * tr[j] + s_per_class)) * inv_batch);
    }
    return loss;
  });
  return finish(y, total, batch, std::move(dlogits));
}

}  // namespace descent
