#include "loss/sparse_categorical_crossentropy.h"

#include "core/deterministic_sum.h"
#include "core/ops/cross_entropy.h"
#include "core/ops/view.h"
#include "loss/fused_loss.h"
#include "loss/normalized_crossentropy.h"
#include "loss/target_checks.h"

namespace descent {

SparseCategoricalCrossentropy::SparseCategoricalCrossentropy(CrossentropyOptions options)
    : Loss(options.from_logits),
      label_smoothing_(checked_label_smoothing("sparse_categorical_crossentropy", options)) {}

void SparseCategoricalCrossentropy::validate_targets(const Shape& y_pred,
                                                     const Tensor& y_true) const {
  const Shape rows = class_rows("sparse_categorical_crossentropy", y_pred, y_true);
  check_class_scores("sparse_categorical_crossentropy", rows);
  if (rows == y_pred)
    check_class_labels(y_true, rows[0], rows[1]);
  else
    check_class_labels(y_true.contiguous().view({rows[0]}), rows[0], rows[1]);
}

Variable SparseCategoricalCrossentropy::operator()(const Variable& y_pred,
                                                   const Tensor& y_true) const {
  // A label per position: the positions are rows of their own (views, nothing copied).
  const Shape rows = class_rows("sparse_categorical_crossentropy", y_pred.shape(), y_true);
  if (rows != y_pred.shape())
    return (*this)(reshape(y_pred, rows), y_true.contiguous().view({rows[0]}));
  validate_targets(y_pred.shape(), y_true);
  if (from_logits()) return sparse_softmax_cross_entropy(y_pred, y_true, label_smoothing_);

  const std::int64_t batch = y_pred.shape()[0], classes = y_pred.shape()[1];
  const float* y = y_pred.value().data();
  const float* labels = y_true.data();
  Tensor dpred;
  if (loss_needs_grad(y_pred)) dpred.resize(y_pred.shape());
  float* d = dpred.empty() ? nullptr : dpred.data();
  const double keep = 1.0 - label_smoothing_;
  const double s_per_class = label_smoothing_ / static_cast<double>(classes);
  const double inv_batch = 1.0 / static_cast<double>(batch);
  const double total = deterministic_sum(batch, classes, [&](std::int64_t r) {
    const auto label = static_cast<std::int64_t>(labels[r]);
    return normalized_crossentropy_row(
        y + r * classes, classes,
        [&](std::int64_t j) { return (j == label ? keep : 0.0) + s_per_class; },
        d ? d + r * classes : nullptr, inv_batch);
  });
  LossGradient gradient;
  if (loss_needs_gradient_graph(y_pred))
    gradient = normalized_crossentropy_gradient(
        [labels = y_true, keep, s_per_class](std::int64_t r, std::int64_t j) {
          return (static_cast<std::int64_t>(labels.at(r)) == j ? keep : 0.0) + s_per_class;
        },
        inv_batch);
  return loss_node(y_pred, total * inv_batch, std::move(dpred), "sparse_categorical_crossentropy",
                   std::move(gradient));
}

}  // namespace descent
