// A causal attention model trains with fit(): sequences go through Sequential as (batch, time,
// features) and reach a regression loss flattened.
#include <gtest/gtest.h>

#include "nn/flatten.h"
#include "nn/multi_head_attention.h"
#include "nn/positional_embedding.h"
#include "optim/adam.h"
#include "train/model.h"

namespace descent {
namespace {

// Each target position is the mean of the inputs up to it: what causal attention with uniform
// weights over the past computes, and what no layer that sees the future can.
TEST(AttentionTraining, CausalAttentionLearnsRunningMeans) {
  constexpr std::int64_t n = 128, t = 6, e = 8;
  Rng rng(3);
  Tensor x({n, t, e}), y({n, t * e});
  for (std::int64_t i = 0; i < x.size(); ++i)
    x[i] = static_cast<float>(rng.uniform(-1.0, 1.0));
  for (std::int64_t s = 0; s < n; ++s)
    for (std::int64_t f = 0; f < e; ++f) {
      double running = 0;
      for (std::int64_t p = 0; p < t; ++p) {
        running += x[(s * t + p) * e + f];
        y[s * t * e + p * e + f] = static_cast<float>(running / double(p + 1));
      }
    }
  Model model(5);
  model.add(PositionalEmbedding(t, {.input_shape = {t, e}}));
  model.add(MultiHeadAttention(2, {.causal = true}));
  model.add(Flatten());
  model.compile<Adam>({.lr = 1e-2}, "mse");
  const History history = model.fit(x, y, {.epochs = 40, .batch_size = 32, .verbose = 0});
  const double first = history.epochs.front().get("loss").value();
  const double last = history.epochs.back().get("loss").value();
  EXPECT_LT(last, 1e-3 * first) << "first epoch " << first << ", last " << last;
}

}  // namespace
}  // namespace descent
