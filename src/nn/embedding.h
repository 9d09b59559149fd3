// Embedding: maps token ids to learned vectors, a row of the (input_dim, output_dim) weight per id.
// Inputs are (batch, time) tensors of whole numbers in [0, input_dim), as float (labels are
// stored the same way); outputs are (batch, time, output_dim). The gradient adds each position's
// output gradient into its id's row. Keras's Embedding initializes with U(-0.05, 0.05)
// ("uniform"); PyTorch's with N(0, 1) ("torch_normal").
#pragma once

#include "nn/initializer.h"
#include "nn/layer.h"

namespace descent {

struct EmbeddingOptions {
  Initializer embeddings_initializer = {Initializer::Kind::uniform};
  Shape input_shape = {};  // (time,): the sequence length
};

class Embedding : public Layer {
 public:
  Embedding(std::int64_t input_dim, std::int64_t output_dim, EmbeddingOptions options = {});

  std::string type() const override { return "Embedding"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  Variable forward(const Variable& x, bool training) override;
  std::vector<Parameter> parameters() override;
  nlohmann::json config() const override;

  Variable& embeddings() { return embeddings_; }

 private:
  std::int64_t input_dim_, output_dim_;
  EmbeddingOptions options_;
  Variable embeddings_;
};

}  // namespace descent
