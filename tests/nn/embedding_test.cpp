#include "nn/embedding.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "layer_fixture.h"

namespace descent {
namespace {

using testing::expect_near_fixture;
using testing::fixture_tensor;
using testing::layer_case;

TEST(Embedding, LooksUpRowsAndAddsGradientsLikeTorch) {
  const nlohmann::json& c = layer_case("embedding");
  Embedding layer(5, 3);
  layer.set_name("embedding");
  Rng rng(1);
  EXPECT_EQ(layer.build({4}, rng), (Shape{4, 3}));
  layer.embeddings() = Variable(fixture_tensor(c.at("embeddings")), true);
  Variable y = layer.forward(Variable(fixture_tensor(c.at("ids"))), false);
  expect_near_fixture(y.value(), c.at("output"), 1e-6, "output");
  y.backward(fixture_tensor(c.at("weight")));
  expect_near_fixture(layer.embeddings().grad(), c.at("grad_embeddings"), 1e-6,
                      "gradient of the embeddings");
}

TEST(Embedding, RejectsAnIdOutsideTheVocabularyNamingLayerAndPosition) {
  Embedding layer(10, 2);
  layer.set_name("embedding");
  Rng rng(1);
  layer.build({2}, rng);
  const auto message = [&](Tensor ids) {
    try {
      layer.forward(Variable(std::move(ids)), false);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_EQ(message(Tensor({2, 2}, {1, 2, 9, 12})),
            "embedding: index 12 at position 3 is outside [0, 10)");
  EXPECT_EQ(message(Tensor({2, 2}, {1, 2.5f, 9, 0})),
            "embedding: index 2.5 at position 1 is outside [0, 10)");
  EXPECT_EQ(message(Tensor({2, 2}, {-1, 2, 9, 0})),
            "embedding: index -1 at position 0 is outside [0, 10)");
}

TEST(Embedding, InitializersParametersAndPlan) {
  Rng rng(3);
  Embedding keras(100, 8);
  keras.set_name("tokens");
  EXPECT_EQ(keras.plan({16}).weights, 800.0);
  keras.build({16}, rng);
  ASSERT_EQ(keras.parameters().size(), 1u);
  EXPECT_EQ(keras.parameters()[0].name, "tokens/embeddings");
  double largest = 0;
  for (float v : keras.embeddings().value().values())
    largest = std::max(largest, double(std::abs(v)));
  EXPECT_LE(largest, 0.05);
  EXPECT_GT(largest, 0.04);

  Embedding torch(100, 8, {.embeddings_initializer = Initializer::parse("torch_normal")});
  torch.build({16}, rng);
  double squares = 0;
  for (float v : torch.embeddings().value().values())
    squares += double(v) * v;
  EXPECT_NEAR(squares / 800.0, 1.0, 0.15);
  EXPECT_EQ(torch.config().at("embeddings_initializer"), "torch_normal");

  EXPECT_THROW(keras.plan({4, 4}), InvalidArgument);
  EXPECT_THROW(Embedding(0, 3), InvalidArgument);
}

}  // namespace
}  // namespace descent
