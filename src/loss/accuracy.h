// Accuracy metrics: the fraction of samples whose prediction is right, as tf.keras computes it.
// Ties between scores go to the first class (argmax), except in top-k, where every class tied
// with the k-th score counts as in the top k (tf.math.in_top_k).
#pragma once

#include <cstdint>
#include <string>

#include "loss/metric.h"

namespace descent {

// Fraction of values with (y_pred > threshold) == y_true: y_true holds 0/1 targets, one per
// prediction. Use threshold 0.5 for probabilities and 0 for logits.
class BinaryAccuracy : public MeanMetric {
 public:
  explicit BinaryAccuracy(float threshold = 0.5f, std::string name = "binary_accuracy")
      : MeanMetric(std::move(name)), threshold_(threshold) {}
  void update(const Tensor& y_pred, const Tensor& y_true) override;

 private:
  float threshold_;
};

// Fraction of rows with argmax(y_pred) == argmax(y_true); both (batch, classes).
class CategoricalAccuracy : public MeanMetric {
 public:
  explicit CategoricalAccuracy(std::string name = "categorical_accuracy")
      : MeanMetric(std::move(name)) {}
  void update(const Tensor& y_pred, const Tensor& y_true) override;
};

// Fraction of rows with argmax(y_pred) == label; y_pred (batch, classes), labels (batch,), or
// y_pred (batch, T, classes) and labels (batch, T): the fraction of all batch·T positions.
class SparseCategoricalAccuracy : public MeanMetric {
 public:
  explicit SparseCategoricalAccuracy(std::string name = "sparse_categorical_accuracy")
      : MeanMetric(std::move(name)) {}
  void update(const Tensor& y_pred, const Tensor& y_true) override;
};

// Fraction of rows whose target class is among the k highest scores (fewer than k classes score
// strictly higher). The target is a label (y_true of shape (batch,)) or, when y_true has the shape
// of y_pred, its argmax. Throws InvalidArgument when k < 1.
class TopKAccuracy : public MeanMetric {
 public:
  explicit TopKAccuracy(std::int64_t k = 5);
  TopKAccuracy(std::int64_t k, std::string name);
  void update(const Tensor& y_pred, const Tensor& y_true) override;
  std::int64_t k() const { return k_; }

 private:
  std::int64_t k_;
};

// Keras's "accuracy" for a loss that does not say which one: chosen from the shapes at each
// update. One output column -> binary (threshold 0.5); labels with fewer dimensions than y_pred
// (or one column for several classes) -> sparse categorical (per position for sequences);
// otherwise categorical.
class Accuracy : public MeanMetric {
 public:
  explicit Accuracy(std::string name = "accuracy") : MeanMetric(std::move(name)) {}
  void update(const Tensor& y_pred, const Tensor& y_true) override;
};

}  // namespace descent
