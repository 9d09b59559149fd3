// A small transformer built with the functional API: token and learned position embeddings, two
// pre-norm blocks (self-attention and a GELU MLP, each added back to its input), then a
// classifier. The task needs attention: in a sequence of 8 tokens, the first one is a position
// k in 1..7 and the answer is the token found at position k.
#include <iostream>

#include "descent.h"

namespace {

descent::Dataset pointer_task(std::int64_t n, std::uint64_t seed) {
  constexpr int kLength = 8, kVocabulary = 8;
  descent::Rng rng(seed);
  descent::Dataset data;
  data.sample_shape = {kLength};
  data.num_classes = kVocabulary;
  for (std::int64_t i = 0; i < n; ++i) {
    int tokens[kLength];
    tokens[0] = 1 + static_cast<int>(rng.below(kLength - 1));
    for (int t = 1; t < kLength; ++t)
      tokens[t] = static_cast<int>(rng.below(kVocabulary));
    for (int token : tokens)
      data.values.push_back(static_cast<float>(token));
    data.labels.push_back(tokens[tokens[0]]);
  }
  return data;
}

}  // namespace

int main() {
  using namespace descent;
  const Dataset data = pointer_task(4000, /*seed=*/1);

  const SymbolicTensor tokens = Input({8});
  SymbolicTensor h = PositionalEmbedding(8)(Embedding(8, 32)(tokens));
  for (int block = 0; block < 2; ++block) {
    h = Add()({h, MultiHeadAttention(4)(LayerNormalization()(h))});
    const SymbolicTensor mlp =
        Dense(32)(Dense(64, {.activation = "gelu"})(LayerNormalization()(h)));
    h = Add()({h, mlp});
  }
  Model model(tokens, Dense(8)(Flatten()(LayerNormalization()(h))), /*seed=*/7);
  std::cout << model.summary();

  model.compile(std::make_unique<AdamW>(model.trainable_variables(), AdamWOptions{.lr = 3e-3}),
                make_loss("sparse_categorical_crossentropy", /*from_logits=*/true), {"accuracy"});
  model.fit(data, {.epochs = 15, .batch_size = 64, .validation_split = 0.2, .verbose = 2});
  std::cout << "accuracy: " << model.evaluate(data).at("accuracy") << "\n";
}
