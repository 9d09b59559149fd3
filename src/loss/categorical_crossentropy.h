// Categorical cross-entropy with one-hot (or soft) targets of shape (batch, classes), mean over
// the batch. Matches keras.losses.CategoricalCrossentropy:
// - from logits: -Σ_j t_j log softmax(x)_j by the fused softmax_cross_entropy op (log-sum-exp),
//   equal to torch.nn.functional.cross_entropy with probability targets;
// - from probabilities: the row is normalised to sum 1, clipped to [1e-7, 1 - 1e-7] and the log
//   taken (see normalized_crossentropy.h).
#pragma once

#include "loss/crossentropy_options.h"
#include "loss/loss.h"

namespace descent {

class CategoricalCrossentropy : public Loss {
 public:
  // Throws InvalidArgument when label_smoothing is outside [0, 1].
  explicit CategoricalCrossentropy(CrossentropyOptions options = {});
  Variable operator()(const Variable& y_pred, const Tensor& y_true) const override;
  std::string name() const override { return "categorical_crossentropy"; }
  // y_pred is (batch, classes) and y_true has the same shape, with values in [0, 1].
  void validate_targets(const Shape& y_pred, const Tensor& y_true) const override;
  float label_smoothing() const { return label_smoothing_; }

 private:
  float label_smoothing_;
};

}  // namespace descent
