// Sampling from a language model: the token distribution (temperature, top-k) and generation over
// windows of the model's context.
#include "train/text_generation.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "nn/dense.h"
#include "nn/embedding.h"
#include "nn/input.h"
#include "nn/multi_head_attention.h"
#include "nn/positional_embedding.h"

namespace descent {
namespace {

double frequency_of(std::int32_t token, std::span<const float> logits,
                    const SamplingOptions& options) {
  Rng rng(3);
  constexpr int kDraws = 20000;
  int hits = 0;
  for (int i = 0; i < kDraws; ++i)
    hits += sample_token(logits, options, rng) == token ? 1 : 0;
  return hits / double(kDraws);
}

TEST(TextGeneration, SamplesFromTheSoftmaxOfLogitsOverTemperature) {
  // softmax(0, ln 3) = (1/4, 3/4); at temperature 2, logits (0, ln 9) give the same.
  const float ln3 = std::log(3.0f), ln9 = std::log(9.0f);
  const std::vector<float> plain = {0.0f, ln3}, doubled = {0.0f, ln9};
  EXPECT_NEAR(frequency_of(1, plain, {.temperature = 1.0}), 0.75, 0.01);
  EXPECT_NEAR(frequency_of(1, doubled, {.temperature = 2.0}), 0.75, 0.01);
  // A low temperature takes the likeliest token.
  EXPECT_EQ(frequency_of(1, plain, {.temperature = 0.01}), 1.0);
}

TEST(TextGeneration, TopKKeepsTheKHighestLogitsAndTheirTies) {
  const std::vector<float> logits = {2.0f, 0.0f, 2.0f, 1.9f};
  EXPECT_EQ(frequency_of(1, logits, {.top_k = 2}), 0.0);
  EXPECT_EQ(frequency_of(3, logits, {.top_k = 2}), 0.0);
  EXPECT_NEAR(frequency_of(0, logits, {.top_k = 1}), 0.5, 0.02);  // tied with the first
  EXPECT_GT(frequency_of(3, logits, {.top_k = 3}), 0.2);
}

TEST(TextGeneration, RefusesBadSettings) {
  Rng rng(1);
  const std::vector<float> logits = {0.0f, 1.0f};
  for (double t : {0.0, -1.0, double(NAN), double(INFINITY)})
    EXPECT_THROW(sample_token(logits, {.temperature = t}, rng), InvalidArgument) << t;
  EXPECT_THROW(sample_token(logits, {.top_k = -1}, rng), InvalidArgument);
}

// A causal model over windows of 4 tokens from a vocabulary of 6.
Model tiny_language_model() {
  const SymbolicTensor tokens = Input({4});
  const SymbolicTensor h = MultiHeadAttention(2, {.causal = true})(Embedding(6, 8)(tokens));
  return Model(tokens, Dense(6)(h), /*seed=*/9);
}

TEST(TextGeneration, GeneratesDeterministicallyForASeedPastTheContext) {
  Model model = tiny_language_model();
  const std::vector<std::int32_t> prompt = {1, 2, 3, 4, 5};  // longer than the context: cropped
  const auto first = generate_tokens(model, prompt, 12, {.seed = 4});
  ASSERT_EQ(first.size(), 12u);
  for (std::int32_t t : first)
    EXPECT_TRUE(t >= 0 && t < 6) << t;
  EXPECT_EQ(generate_tokens(model, prompt, 12, {.seed = 4}), first);
  EXPECT_NE(generate_tokens(model, prompt, 12, {.seed = 5}), first);
  EXPECT_EQ(generate_tokens(model, std::vector<std::int32_t>{2}, 3, {}).size(), 3u);
  EXPECT_THROW(generate_tokens(model, {}, 3, {}), InvalidArgument);
}

// The logits read for a short prompt are those at its last position, and the positions after it
// do not reach back through the causal mask: with top-k 1 the pick is the argmax there, whatever
// fills the rest of the window.
TEST(TextGeneration, AShortPromptReadsTheLogitsAtItsLastPosition) {
  const SymbolicTensor tokens = Input({4});
  const SymbolicTensor h =
      MultiHeadAttention(2, {.causal = true})(PositionalEmbedding(4)(Embedding(6, 8)(tokens)));
  Model model(tokens, Dense(6)(h), /*seed=*/9);
  for (const std::vector<std::int32_t>& prompt :
       {std::vector<std::int32_t>{3, 1}, {2}, {4, 0, 5}, {1, 1}, {5, 2}, {0}}) {
    Tensor window({1, 4}, 5.0f);
    for (std::size_t t = 0; t < prompt.size(); ++t)
      window[static_cast<std::int64_t>(t)] = static_cast<float>(prompt[t]);
    const Tensor logits = model.predict(window, 1);
    const float* row = logits.data() + static_cast<std::int64_t>(prompt.size() - 1) * 6;
    const auto argmax = static_cast<std::int32_t>(std::max_element(row, row + 6) - row);
    EXPECT_EQ(generate_tokens(model, prompt, 1, {.top_k = 1}), std::vector<std::int32_t>{argmax})
        << prompt.size();
  }
}

}  // namespace
}  // namespace descent
