// layer_from_config reads integers by descent's one integer rule (core/json_integer.h), the rule
// of optimizer and schedule options too: 16 and 16.0 are integers, 16.5 is not.
#include "nn/layer_config.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string rejection(const json& config) {
  try {
    layer_from_config(config);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(LayerConfig, AnIntegerMayBeWrittenAsANumberWithAnExactIntegerValue) {
  EXPECT_EQ(layer_from_config({{"type", "Dense"}, {"units", 16.0}})->config()["units"], 16);
  EXPECT_EQ(
      layer_from_config({{"type", "Flatten"}, {"input_shape", {2.0, 3}}})->config()["input_shape"],
      json({2, 3}));
  EXPECT_THAT(rejection({{"type", "Dense"}, {"units", 16.5}}),
              HasSubstr("key \"units\" must be an integer, got 16.5"));
  EXPECT_THAT(rejection({{"type", "Dense"}, {"units", 1e300}}), HasSubstr("must be an integer"));
  EXPECT_THAT(rejection({{"type", "Flatten"}, {"input_shape", {2.5}}}),
              HasSubstr("an array of positive integers"));
}

TEST(LayerConfig, TransformerLayersRoundTripWithDefaults) {
  const json ln = layer_from_config({{"type", "LayerNormalization"}})->config();
  EXPECT_EQ(ln, json({{"type", "LayerNormalization"},
                      {"axis", -1},
                      {"epsilon", 1e-3},
                      {"center", true},
                      {"scale", true}}));
  EXPECT_EQ(layer_from_config(ln)->config(), ln);
  const json custom = {{"type", "LayerNormalization"},
                       {"axis", -1},
                       {"epsilon", 1e-5},
                       {"center", false},
                       {"scale", true},
                       {"input_shape", {4, 8}}};
  EXPECT_EQ(layer_from_config(custom)->config(), custom);

  const json emb =
      layer_from_config({{"type", "Embedding"}, {"input_dim", 10}, {"output_dim", 4}})->config();
  EXPECT_EQ(emb, json({{"type", "Embedding"},
                       {"input_dim", 10},
                       {"output_dim", 4},
                       {"embeddings_initializer", "uniform"}}));
  EXPECT_EQ(layer_from_config(emb)->config(), emb);
}

TEST(LayerConfig, TransformerLayersRejectUnknownKeysAndBadValues) {
  EXPECT_THAT(rejection({{"type", "LayerNormalization"}, {"momentum", 0.9}}),
              HasSubstr("unknown key \"momentum\""));
  EXPECT_THAT(rejection({{"type", "LayerNormalization"}, {"axis", 1}}),
              HasSubstr("only \"axis\": -1"));
  EXPECT_THAT(rejection({{"type", "LayerNormalization"}, {"epsilon", "small"}}),
              HasSubstr("must be a number"));
  EXPECT_THAT(rejection({{"type", "Embedding"}, {"input_dim", 10}}),
              HasSubstr("needs \"output_dim\""));
  EXPECT_THAT(
      rejection({{"type", "Embedding"}, {"input_dim", 10}, {"output_dim", 4}, {"mask_zero", true}}),
      HasSubstr("unknown key \"mask_zero\""));
  EXPECT_THAT(rejection({{"type", "Embedding"},
                         {"input_dim", 10},
                         {"output_dim", 4},
                         {"embeddings_initializer", "gaussian"}}),
              HasSubstr("unknown initializer"));
}

TEST(LayerConfig, AttentionLayersRoundTripWithDefaults) {
  const json mha = layer_from_config({{"type", "MultiHeadAttention"}, {"num_heads", 4}})->config();
  EXPECT_EQ(mha, json({{"type", "MultiHeadAttention"},
                       {"num_heads", 4},
                       {"use_bias", true},
                       {"dropout", 0.0},
                       {"causal", false}}));
  EXPECT_EQ(layer_from_config(mha)->config(), mha);
  const json causal = {{"type", "MultiHeadAttention"},
                       {"num_heads", 2},
                       {"use_bias", false},
                       {"dropout", 0.25},
                       {"causal", true},
                       {"input_shape", {6, 8}}};
  EXPECT_EQ(layer_from_config(causal)->config(), causal);

  const json pos =
      layer_from_config({{"type", "PositionalEmbedding"}, {"max_length", 64}})->config();
  EXPECT_EQ(pos, json({{"type", "PositionalEmbedding"},
                       {"max_length", 64},
                       {"embeddings_initializer", "uniform"}}));
  EXPECT_EQ(layer_from_config(pos)->config(), pos);
}

TEST(LayerConfig, AttentionLayersRejectBadOptionsWithOneLine) {
  EXPECT_THAT(rejection({{"type", "MultiHeadAttention"}}), HasSubstr("needs \"num_heads\""));
  EXPECT_EQ(rejection({{"type", "MultiHeadAttention"}, {"num_heads", 0}}),
            "MultiHeadAttention: num_heads must be > 0, got 0");
  EXPECT_EQ(rejection({{"type", "MultiHeadAttention"}, {"num_heads", 2}, {"dropout", 1}}),
            "MultiHeadAttention: dropout must be in [0, 1), got 1");
  EXPECT_THAT(rejection({{"type", "MultiHeadAttention"}, {"num_heads", 2}, {"key_dim", 4}}),
              HasSubstr("unknown key \"key_dim\""));
  EXPECT_THAT(rejection({{"type", "MultiHeadAttention"}, {"num_heads", 2}, {"causal", "yes"}}),
              HasSubstr("key \"causal\" must be true or false"));
  EXPECT_EQ(rejection({{"type", "PositionalEmbedding"}, {"max_length", -3}}),
            "PositionalEmbedding: max_length must be > 0, got -3");
  EXPECT_THAT(rejection({{"type", "PositionalEmbedding"}}), HasSubstr("needs \"max_length\""));
}

TEST(LayerConfig, BatchNormalizationRoundTripsAndRejectsBadKeys) {
  const json bn = layer_from_config({{"type", "BatchNormalization"}})->config();
  EXPECT_EQ(bn, json({{"type", "BatchNormalization"},
                      {"axis", 1},
                      {"momentum", 0.99},
                      {"epsilon", 1e-3},
                      {"center", true},
                      {"scale", true}}));
  EXPECT_EQ(layer_from_config(bn)->config(), bn);
  const json torch_like = {{"type", "BatchNormalization"},
                           {"axis", 1},
                           {"momentum", 0.9},
                           {"epsilon", 1e-5},
                           {"center", false},
                           {"scale", true},
                           {"input_shape", {3, 8, 8}}};
  EXPECT_EQ(layer_from_config(torch_like)->config(), torch_like);

  EXPECT_THAT(rejection({{"type", "BatchNormalization"}, {"axis", -1}}),
              HasSubstr("only \"axis\": 1 (the channel axis)"));
  EXPECT_THAT(rejection({{"type", "BatchNormalization"}, {"renorm", true}}),
              HasSubstr("unknown key \"renorm\""));
  EXPECT_THAT(rejection({{"type", "BatchNormalization"}, {"momentum", "0.9"}}),
              HasSubstr("key \"momentum\" must be a number"));
  EXPECT_THAT(rejection({{"type", "BatchNormalization"}, {"momentum", 1.01}}),
              HasSubstr("momentum must be in [0, 1]"));
  EXPECT_THAT(rejection({{"type", "BatchNormalization"}, {"epsilon", -1e-5}}),
              HasSubstr("epsilon must be > 0"));
  EXPECT_THAT(rejection({{"type", "BatchNormalization"}, {"center", 1}}),
              HasSubstr("must be true or false"));
}

}  // namespace
}  // namespace descent
