// Options of the cross-entropy losses (BinaryCrossentropy, CategoricalCrossentropy,
// SparseCategoricalCrossentropy), given with designated initializers:
//   CategoricalCrossentropy({.from_logits = true, .label_smoothing = 0.1f})
#pragma once

namespace descent {

struct CrossentropyOptions {
  // y_pred holds logits (no sigmoid / softmax applied) instead of probabilities.
  bool from_logits = false;
  // s in [0, 1] replaces each target t by (1 - s)·t + s / K, with K = 2 for binary targets and
  // K = classes for categorical ones (Keras; torch.nn.functional.cross_entropy for sparse labels).
  float label_smoothing = 0.0f;
};

// options.label_smoothing, or InvalidArgument naming `loss` when it is outside [0, 1].
float checked_label_smoothing(const char* loss, const CrossentropyOptions& options);

}  // namespace descent
