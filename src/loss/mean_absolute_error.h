// Mean absolute error: mean over all elements of |y_pred - y_true|, gradient sign(y_pred - y_true)
// / n (0 where they are equal). Matches keras.losses.MeanAbsoluteError and
// torch.nn.functional.l1_loss.
#pragma once

#include "loss/loss.h"

namespace descent {

class MeanAbsoluteError : public Loss {
 public:
  MeanAbsoluteError() : Loss(false) {}
  Variable operator()(const Variable& y_pred, const Tensor& y_true) const override;
  std::string name() const override { return "mean_absolute_error"; }
  // y_true holds one value per prediction (same batch size and number of values).
  void validate_targets(const Shape& y_pred, const Tensor& y_true) const override;
};

}  // namespace descent
