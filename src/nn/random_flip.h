// RandomFlip (Keras's augmentation layer): while training, mirrors each sample of the batch with
// probability 1/2, left-right ("horizontal": the last axis), top-bottom ("vertical": the one
// before it) or either, drawn independently ("horizontal_and_vertical"); the identity at
// inference. Images are channels first, (channels, height, width), so the last two axes are the
// image's.
#pragma once

#include <string>

#include "nn/layer.h"

namespace descent {

class RandomFlip : public Layer {
 public:
  // mode: "horizontal", "vertical" or "horizontal_and_vertical" (Keras's default).
  explicit RandomFlip(std::string mode = "horizontal_and_vertical");

  std::string type() const override { return "RandomFlip"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  nlohmann::json config() const override;
  // Drawn from the model's stream at build; checkpoints save it, as Dropout's.
  Rng* random_stream() override { return &rng_; }

 private:
  std::string mode_;
  bool horizontal_ = false, vertical_ = false;
  Rng rng_;
};

}  // namespace descent
