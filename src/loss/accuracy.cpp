#include "loss/accuracy.h"

#include <fmt/format.h>

#include "core/deterministic_sum.h"
#include "core/error.h"
#include "core/ops/cross_entropy.h"
#include "loss/target_checks.h"

namespace descent {
namespace {

std::int64_t first_argmax(const float* row, std::int64_t n) {
  std::int64_t best = 0;
  for (std::int64_t j = 1; j < n; ++j)
    if (row[j] > row[best]) best = j;
  return best;
}

double binary_hits(const char* who, const Tensor& y_pred, const Tensor& y_true, float threshold) {
  check_same_size(who, y_pred.shape(), y_true);
  const float* p = y_pred.data();
  const float* t = y_true.data();
  return deterministic_sum(y_pred.size(), 1, [&](std::int64_t i) {
    return (p[i] > threshold ? 1.0f : 0.0f) == t[i] ? 1.0 : 0.0;
  });
}

double categorical_hits(const char* who, const Tensor& y_pred, const Tensor& y_true) {
  check_class_scores(who, y_pred.shape());
  if (y_true.shape() != y_pred.shape())
    throw InvalidArgument(fmt::format("{}: targets of shape {} for predictions of shape {}", who,
                                      shape_string(y_true.shape()), shape_string(y_pred.shape())));
  const std::int64_t classes = y_pred.dim(1);
  const float* p = y_pred.data();
  const float* t = y_true.data();
  return deterministic_sum(y_pred.dim(0), classes, [&](std::int64_t r) {
    return first_argmax(p + r * classes, classes) == first_argmax(t + r * classes, classes) ? 1.0
                                                                                            : 0.0;
  });
}

// Hits and count over the rows of class scores: one per sample, or one per position of a
// sequence (loss/target_checks.h class_rows).
struct Hits {
  double hits = 0.0;
  double count = 0.0;
};

Hits sparse_hits(const char* who, const Tensor& y_pred, const Tensor& y_true) {
  const Shape rows = class_rows(who, y_pred.shape(), y_true);
  check_class_scores(who, rows);
  const std::int64_t batch = rows[0], classes = rows[1];
  const Tensor labels =
      rows == y_pred.shape() ? y_true.contiguous() : y_true.contiguous().view({batch});
  check_class_labels(labels, batch, classes);
  const float* p = y_pred.data();
  const float* t = labels.data();
  const double hits = deterministic_sum(batch, classes, [&](std::int64_t r) {
    return first_argmax(p + r * classes, classes) == static_cast<std::int64_t>(t[r]) ? 1.0 : 0.0;
  });
  return {hits, static_cast<double>(batch)};
}

}  // namespace

void BinaryAccuracy::update(const Tensor& y_pred, const Tensor& y_true) {
  accumulate(binary_hits(name().c_str(), y_pred, y_true, threshold_),
             static_cast<double>(y_pred.size()));
}

void CategoricalAccuracy::update(const Tensor& y_pred, const Tensor& y_true) {
  accumulate(categorical_hits(name().c_str(), y_pred, y_true), static_cast<double>(y_pred.dim(0)));
}

void SparseCategoricalAccuracy::update(const Tensor& y_pred, const Tensor& y_true) {
  const Hits h = sparse_hits(name().c_str(), y_pred, y_true);
  accumulate(h.hits, h.count);
}

TopKAccuracy::TopKAccuracy(std::int64_t k) : TopKAccuracy(k, fmt::format("top_{}_accuracy", k)) {}

TopKAccuracy::TopKAccuracy(std::int64_t k, std::string name) : MeanMetric(std::move(name)), k_(k) {
  if (k < 1) throw InvalidArgument(fmt::format("top-k accuracy needs k >= 1, got {}", k));
}

void TopKAccuracy::update(const Tensor& y_pred, const Tensor& y_true) {
  const std::string who = name();
  check_class_scores(who.c_str(), y_pred.shape());
  const std::int64_t batch = y_pred.dim(0), classes = y_pred.dim(1);
  const bool dense = y_true.shape() == y_pred.shape();
  if (!dense) check_class_labels(y_true, batch, classes);
  const float* p = y_pred.data();
  const float* t = y_true.data();
  const double hits = deterministic_sum(batch, classes, [&](std::int64_t r) {
    const float* row = p + r * classes;
    const std::int64_t target =
        dense ? first_argmax(t + r * classes, classes) : static_cast<std::int64_t>(t[r]);
    std::int64_t higher = 0;
    for (std::int64_t j = 0; j < classes; ++j)
      higher += row[j] > row[target] ? 1 : 0;
    return higher < k_ ? 1.0 : 0.0;
  });
  accumulate(hits, static_cast<double>(batch));
}

void Accuracy::update(const Tensor& y_pred, const Tensor& y_true) {
  const std::string who = name();
  if (y_pred.rank() < 2 || y_pred.dim(-1) == 1) {
    accumulate(binary_hits(who.c_str(), y_pred, y_true, 0.5f), static_cast<double>(y_pred.size()));
  } else if (y_true.rank() < y_pred.rank() || y_true.dim(-1) == 1) {
    const Hits h = sparse_hits(who.c_str(), y_pred, y_true);
    accumulate(h.hits, h.count);
  } else {
    accumulate(categorical_hits(who.c_str(), y_pred, y_true), static_cast<double>(y_pred.dim(0)));
  }
}

}  // namespace descent
