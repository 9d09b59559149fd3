// Mean squared error: mean over all elements of (y_pred - y_true)², gradient 2 (y_pred - y_true) /
// n. Matches keras.losses.MeanSquaredError and torch.nn.functional.mse_loss.
#pragma once

#include "loss/loss.h"

namespace descent {

class MeanSquaredError : public Loss {
 public:
  MeanSquaredError() : Loss(false) {}
  Variable operator()(const Variable& y_pred, const Tensor& y_true) const override;
  std::string name() const override { return "mean_squared_error"; }
  // y_true holds one value per prediction (same batch size and number of values).
  void validate_targets(const Shape& y_pred, const Tensor& y_true) const override;
};

}  // namespace descent
