#include "loss/categorical_crossentropy.h"

#include <fmt/format.h>

#include "core/deterministic_sum.h"
#include "core/error.h"
#include "core/ops/cross_entropy.h"
#include "loss/fused_loss.h"
#include "loss/normalized_crossentropy.h"
#include "loss/target_checks.h"

namespace descent {

CategoricalCrossentropy::CategoricalCrossentropy(CrossentropyOptions options)
    : Loss(options.from_logits),
      label_smoothing_(checked_label_smoothing("categorical_crossentropy", options)) {}

void CategoricalCrossentropy::validate_targets(const Shape& y_pred, const Tensor& y_true) const {
  check_class_scores("categorical_crossentropy", y_pred);
  if (y_true.shape() != y_pred)
    throw InvalidArgument(fmt::format(
        "categorical_crossentropy: targets of shape {} for predictions of shape {} (one-hot "
        "targets expected; use sparse_categorical_crossentropy for integer labels)",
        shape_string(y_true.shape()), shape_string(y_pred)));
  check_unit_interval("categorical_crossentropy", y_true);
}

Variable CategoricalCrossentropy::operator()(const Variable& y_pred, const Tensor& y_true) const {
  validate_targets(y_pred.shape(), y_true);
  if (from_logits()) return softmax_cross_entropy(y_pred, y_true, label_smoothing_);

  const std::int64_t batch = y_pred.shape()[0], classes = y_pred.shape()[1];
  const float* y = y_pred.value().data();
  const float* t = y_true.data();
  Tensor dpred;
  if (loss_needs_grad(y_pred)) dpred.resize(y_pred.shape());
  float* d = dpred.empty() ? nullptr : dpred.data();
  const double keep = 1.0 - label_smoothing_;
  const double s_per_class = label_smoothing_ / static_cast<double>(classes);
  const double inv_batch = 1.0 / static_cast<double>(batch);
  const double total = deterministic_sum(batch, classes, [&](std::int64_t r) {
    const float* tr = t + r * classes;
    return normalized_crossentropy_row(
        y + r * classes, classes, [&](std::int64_t j) { return keep * tr[j] + s_per_class; },
        d ? d + r * classes : nullptr, inv_batch);
  });
  LossGradient gradient;
  if (loss_needs_gradient_graph(y_pred))
    gradient = normalized_crossentropy_gradient(
        [targets = y_true, keep, s_per_class, classes](std::int64_t r, std::int64_t j) {
          return keep * targets.at(r * classes + j) + s_per_class;
        },
        inv_batch);
  return loss_node(y_pred, total * inv_batch, std::move(dpred), "categorical_crossentropy",
                   std::move(gradient));
}

}  // namespace descent
