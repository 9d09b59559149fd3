// MultiHeadAttention (Vaswani et al., "Attention Is All You Need", 2017), with the numerics of
// PyTorch's nn.MultiheadAttention(batch_first=True): the query, key and value, each (batch, time,
// E), are projected (x · W + b, W of shape (E, E)), split into num_heads heads of E / num_heads
// features, and each head computes softmax(q·kᵀ / √(E / num_heads)) · v; the heads are joined and
// projected by the output kernel and bias. As a layer it is self-attention (query = key = value =
// the input); attend() takes separate inputs.
//
// Options: causal masks the keys after each query's position (position t attends to positions
// <= t), dropout drops attention weights while training (inverted, as the Dropout layer, from the
// layer's own random stream).
//
// Initialized as PyTorch does: the query, key and value kernels are the three blocks of one
// xavier_uniform (3E, E) matrix, U(-l, l) with l = √(6 / (E + 3E)); the output kernel is PyTorch's
// Linear default, U(-1/√E, 1/√E) (torch_uniform); all biases are zero.
#pragma once

#include "nn/layer.h"

namespace descent {

struct MultiHeadAttentionOptions {
  bool use_bias = true;  // biases on the four projections
  float dropout = 0.0f;  // on the attention weights, while training; in [0, 1)
  bool causal = false;
  Shape input_shape = {};  // (time, E)
};

class MultiHeadAttention : public Layer {
 public:
  explicit MultiHeadAttention(std::int64_t num_heads, MultiHeadAttentionOptions options = {});

  std::string type() const override { return "MultiHeadAttention"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  // Self-attention: attend(x, x, x, training).
  Variable forward(const Variable& x, bool training) override;
  // query (batch, time, E); key and value (batch, source time, E).
  Variable attend(const Variable& query, const Variable& key, const Variable& value, bool training);
  std::vector<Parameter> parameters() override;
  nlohmann::json config() const override;
  Rng* random_stream() override { return &rng_; }

  Variable& query_kernel() { return query_kernel_; }
  Variable& query_bias() { return query_bias_; }
  Variable& key_kernel() { return key_kernel_; }
  Variable& key_bias() { return key_bias_; }
  Variable& value_kernel() { return value_kernel_; }
  Variable& value_bias() { return value_bias_; }
  Variable& output_kernel() { return output_kernel_; }
  Variable& output_bias() { return output_bias_; }

 private:
  std::int64_t num_heads_;
  MultiHeadAttentionOptions options_;
  Variable query_kernel_, query_bias_, key_kernel_, key_bias_, value_kernel_, value_bias_,
      output_kernel_, output_bias_;
  Rng rng_;
};

}  // namespace descent
