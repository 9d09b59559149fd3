// Binary cross-entropy, mean over all elements (Keras: mean over the last axis, then the batch).
//
// From probabilities p (keras.losses.BinaryCrossentropy): q = clip(p, 1e-7, 1 - 1e-7),
//   loss = -(z·log q + (1 - z)·log(1 - q)),  d/dp = (q - z) / (q (1 - q)), 0 where p was clipped.
// From logits x (torch.nn.functional.binary_cross_entropy_with_logits,
// tf.nn.sigmoid_cross_entropy_with_logits):
//   loss = max(x, 0) - x·z + log(1 + exp(-|x|)),  d/dx = sigmoid(x) - z,
// both written so that no exponential overflows and the gradient keeps its precision at ±50.
// Label smoothing s uses z' = (1 - s)·z + s / 2.
#pragma once

#include "loss/crossentropy_options.h"
#include "loss/loss.h"

namespace descent {

class BinaryCrossentropy : public Loss {
 public:
  // Throws InvalidArgument when label_smoothing is outside [0, 1].
  explicit BinaryCrossentropy(CrossentropyOptions options = {});
  Variable operator()(const Variable& y_pred, const Tensor& y_true) const override;
  std::string name() const override { return "binary_crossentropy"; }
  // y_true holds one target in [0, 1] per prediction.
  void validate_targets(const Shape& y_pred, const Tensor& y_true) const override;
  float label_smoothing() const { return label_smoothing_; }

 private:
  float label_smoothing_;
};

}  // namespace descent
