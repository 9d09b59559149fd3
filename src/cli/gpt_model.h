// The `--model gpt:KEY=VALUE,...` shorthand: a decoder-only transformer (GPT-2's layout, as
// nanoGPT writes it) as a functional graph in the model JSON of docs/model-format.md, so it saves,
// loads and resumes as every model does:
//   token Embedding + learned PositionalEmbedding (+ Dropout)
//   `layers` pre-norm blocks: x + MHA_causal(LN(x)), then x + Dense(dim)(GELU(Dense(4·dim)(LN(x))))
//   a final LayerNormalization and an untied Dense to the vocabulary without bias (the logits)
// Keys (each optional): layers=4, heads=4, dim=128, context=128 (the window length in tokens),
// dropout=0.0 (after the embeddings, on the attention weights and on each block's two outputs).
// Embeddings and Dense kernels start as GPT-2's, N(0, 0.02²), biases at zero; the attention's
// projections as PyTorch's nn.MultiheadAttention (the layer's own initializers); LayerNorm ε 1e-5.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/tensor.h"

namespace descent::cli {

struct GptSpec {
  std::int64_t layers = 4;
  std::int64_t heads = 4;
  std::int64_t dim = 128;
  std::int64_t context = 128;
  double dropout = 0.0;
};

// True for "gpt" and "gpt:...".
bool is_gpt_model(const std::string& spec);
// The keys of "gpt" or "gpt:KEY=VALUE,..."; InvalidArgument in one line naming an unknown key, a
// repeated one, a value that is not a positive integer (dropout: a number in [0, 1)), or heads
// that do not divide dim.
GptSpec parse_gpt_spec(const std::string& spec);
// The model JSON for `spec` on windows of `sample_shape` tokens (it must be {context}) from a
// vocabulary of `vocabulary` characters.
nlohmann::json gpt_model_config(const std::string& spec, const Shape& sample_shape,
                                std::int64_t vocabulary);

}  // namespace descent::cli
