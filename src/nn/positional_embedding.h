// PositionalEmbedding: learned positions, as GPT-2's wpe. Inputs (batch, time, features) get the
// first `time` rows of a (max_length, features) weight added: y = x + P[0:time]. A sequence
// longer than max_length is refused. Initialized with Keras's Embedding default, U(-0.05, 0.05)
// ("uniform"); GPT-2 draws N(0, 0.02²), of the same scale.
#pragma once

#include "nn/initializer.h"
#include "nn/layer.h"

namespace descent {

struct PositionalEmbeddingOptions {
  Initializer embeddings_initializer = {Initializer::Kind::uniform};
  Shape input_shape = {};  // (time, features)
};

class PositionalEmbedding : public Layer {
 public:
  explicit PositionalEmbedding(std::int64_t max_length, PositionalEmbeddingOptions options = {});

  std::string type() const override { return "PositionalEmbedding"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  std::vector<Parameter> parameters() override;
  nlohmann::json config() const override;

  Variable& embeddings() { return embeddings_; }

 private:
  std::int64_t max_length_;
  PositionalEmbeddingOptions options_;
  Variable embeddings_;
};

}  // namespace descent
