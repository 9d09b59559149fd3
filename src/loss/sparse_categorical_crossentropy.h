// Sparse categorical cross-entropy: predictions (batch, classes), integer labels given as a
// Tensor of shape (batch,) (or (batch, 1)) holding integer-valued floats in [0, classes); mean
// over the batch. Matches keras.losses.SparseCategoricalCrossentropy:
// - from logits: -log softmax(x)_label by the fused sparse_softmax_cross_entropy op, equal to
//   torch.nn.functional.cross_entropy(x, labels);
// - from probabilities: the row is normalised to sum 1, clipped to [1e-7, 1 - 1e-7] and the log
//   taken (see normalized_crossentropy.h), so a Dense(2, sigmoid) output works as in Keras.
// Sequence predictions (batch, T, classes) with labels (batch, T) score every position and average
// over all batch·T of them, as torch's F.cross_entropy(x.view(-1, C), t.view(-1)) (language
// models). Label smoothing (an addition to Keras, as in torch's cross_entropy) uses (1 - s)·onehot
// + s / C.
#pragma once

#include "loss/crossentropy_options.h"
#include "loss/loss.h"

namespace descent {

class SparseCategoricalCrossentropy : public Loss {
 public:
  // Throws InvalidArgument when label_smoothing is outside [0, 1].
  explicit SparseCategoricalCrossentropy(CrossentropyOptions options = {});
  Variable operator()(const Variable& y_pred, const Tensor& y_true) const override;
  std::string name() const override { return "sparse_categorical_crossentropy"; }
  // y_pred is (batch, classes) and y_true (batch,) or (batch, 1), or y_pred (batch, T..., classes)
  // and y_true (batch, T...); every label an integer class in range (DataError naming the first
  // bad label and its index in y_true's values otherwise).
  void validate_targets(const Shape& y_pred, const Tensor& y_true) const override;
  float label_smoothing() const { return label_smoothing_; }

 private:
  float label_smoothing_;
};

}  // namespace descent
