// Loss: the training objective, a mean over the batch that is differentiable w.r.t. the
// predictions. Every loss in descent is one fused node on the graph (forward and gradient written
// together), so its numerics are controlled in one place; see docs/losses.md for the formulas and
// the Keras / PyTorch functions each one matches.
#pragma once

#include <string>

#include "core/tensor.h"
#include "core/variable.h"

namespace descent {

class Loss {
 public:
  virtual ~Loss() = default;

  // Mean loss over the batch, shape (1,), differentiable w.r.t. y_pred. Calls validate_targets().
  virtual Variable operator()(const Variable& y_pred, const Tensor& y_true) const = 0;
  // Keras name, e.g. "sparse_categorical_crossentropy".
  virtual std::string name() const = 0;
  // True when y_pred holds logits (scores before the sigmoid / softmax) instead of probabilities.
  bool from_logits() const { return from_logits_; }

  // Checks y_true against predictions of shape `y_pred` (batch first): throws InvalidArgument on a
  // shape that does not fit and DataError naming the first bad value and its index (a label out
  // of range or not an integer, a binary target outside [0, 1]). Cheap (one pass over y_true), so
  // a trainer may also call it once on a whole dataset with y_pred = (samples, outputs).
  virtual void validate_targets(const Shape& y_pred, const Tensor& y_true) const = 0;

 protected:
  explicit Loss(bool from_logits) : from_logits_(from_logits) {}

 private:
  bool from_logits_;
};

}  // namespace descent
