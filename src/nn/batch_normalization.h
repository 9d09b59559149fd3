// BatchNormalization (Ioffe & Szegedy, "Batch Normalization", 2015): each channel is shifted to
// mean 0 and scaled to variance 1 over the batch (and, for images, over height and width), then
// scaled by gamma and shifted by beta, one per channel. Inputs are (batch, features) or
// (batch, channels, height, width): the channel axis is 1, as in PyTorch's BatchNorm1d/2d.
//
// Training (forward with training = true) normalizes with the batch's mean and biased variance and
// moves the running statistics towards the batch's, the variance as its unbiased estimate (as
// PyTorch keeps it):
//   moving = momentum · moving + (1 − momentum) · batch
// Inference normalizes with the running statistics instead, as one scale and shift per channel;
// both modes run as fused operations (core/ops/batch_norm.h). The running statistics are the
// layer's buffers(): saved with the weights and in checkpoints, never trained, penalized or given
// to an optimizer.
//
// `momentum` has Keras's meaning (the share of the running value kept, default 0.99); PyTorch's
// momentum p is the share of the batch's value taken, so PyTorch's BatchNorm(momentum=p) is
// momentum 1 − p here (its default 0.1 is 0.9). Keras's epsilon default is 1e-3, PyTorch's 1e-5.
#pragma once

#include "nn/layer.h"

namespace descent {

struct BatchNormalizationOptions {
  double momentum = 0.99;  // in [0, 1]
  double epsilon = 1e-3;   // > 0
  bool center = true;      // learn beta
  bool scale = true;       // learn gamma
  Shape input_shape = {};
};

class BatchNormalization : public Layer {
 public:
  explicit BatchNormalization(BatchNormalizationOptions options = {});

  std::string type() const override { return "BatchNormalization"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  std::vector<Parameter> parameters() override;
  std::vector<Buffer> buffers() override;
  nlohmann::json config() const override;

  Variable& gamma() { return gamma_; }
  Variable& beta() { return beta_; }
  Variable& moving_mean() { return moving_mean_; }
  Variable& moving_variance() { return moving_variance_; }

 private:
  // Moves the running statistics towards the batch's (`mean` and biased `variance` per channel,
  // over `count` values each).
  void update_moving_statistics(const Tensor& mean, const Tensor& variance, std::int64_t count);

  BatchNormalizationOptions options_;
  Variable gamma_, beta_, moving_mean_, moving_variance_;
};

}  // namespace descent
