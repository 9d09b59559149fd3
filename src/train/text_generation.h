// Sampling text from a trained language model, one token at a time (GPT-2's and nanoGPT's
// generate): the model reads the last `context` tokens, its logits at the last position are divided
// by the temperature, cut to the k highest when top_k is set, and a token is drawn from their
// softmax; the token is appended and the model reads again.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/random.h"
#include "train/model.h"

namespace descent {

struct SamplingOptions {
  double temperature = 1.0;  // > 0: below 1 sharper, above 1 flatter
  std::int64_t top_k = 0;    // 0: every token; else only the k highest logits (ties kept)
  std::uint64_t seed = 42;   // the same seed, model and prompt give the same tokens
};

// One token drawn from softmax(logits / temperature) over the top_k highest logits. InvalidArgument
// when the temperature is not finite and > 0, top_k < 0, or there are no logits.
std::int32_t sample_token(std::span<const float> logits, const SamplingOptions& options, Rng& rng);

// `count` tokens continuing `prompt` (token ids, at least one). The model takes windows of
// `context` tokens (input (context), output (context, vocabulary)), causal: a prompt shorter than
// the context sits at the window's start (the positions after it cannot change the logits read),
// a longer one is cropped to its last `context` tokens. InvalidArgument on an empty prompt, a
// count < 0, or a model of other shapes.
std::vector<std::int32_t> generate_tokens(Model& model, std::span<const std::int32_t> prompt,
                                          std::int64_t count, const SamplingOptions& options);

}  // namespace descent
