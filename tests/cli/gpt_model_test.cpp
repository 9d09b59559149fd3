// `--model gpt:...` as model JSON: the graph GPT-2's layout asks for, its size, its start.
#include "cli/gpt_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/model_spec.h"
#include "core/error.h"
#include "train/model.h"

namespace descent::cli {
namespace {

using nlohmann::json;

int count_type(const json& config, const std::string& type) {
  int n = 0;
  for (const json& layer : config["layers"])
    n += layer["type"] == type ? 1 : 0;
  return n;
}

const json& layer_named(const json& config, const std::string& name) {
  for (const json& layer : config["layers"])
    if (layer["name"] == name) return layer;
  throw std::runtime_error("no layer " + name);
}

TEST(GptModel, DefaultsAreFourLayersFourHeadsDim128Context128) {
  const GptSpec g = parse_gpt_spec("gpt");
  EXPECT_EQ(g.layers, 4);
  EXPECT_EQ(g.heads, 4);
  EXPECT_EQ(g.dim, 128);
  EXPECT_EQ(g.context, 128);
  EXPECT_EQ(g.dropout, 0.0);
  const GptSpec some = parse_gpt_spec("gpt:context=32,dropout=0.1");
  EXPECT_EQ(some.context, 32);
  EXPECT_EQ(some.dropout, 0.1);
  EXPECT_EQ(some.layers, 4);
  EXPECT_TRUE(is_gpt_model("gpt"));
  EXPECT_FALSE(is_gpt_model("gpt2"));
}

// GPT-2's parameters: embeddings V·d + T·d; per block two LayerNorms (4d), attention (4d² + 4d),
// the MLP (8d² + 5d); the final LayerNorm (2d); the head d·V without bias.
TEST(GptModel, BuildsAPreNormDecoderWithGpt2sParameterCount) {
  const std::int64_t V = 11, T = 8, d = 16, L = 3;
  const json config = model_config("gpt:layers=3,heads=2,dim=16,context=8", {T}, V);
  EXPECT_TRUE(outputs_logits(config));
  EXPECT_EQ(count_type(config, "MultiHeadAttention"), L);
  EXPECT_EQ(count_type(config, "LayerNormalization"), 2 * L + 1);
  EXPECT_EQ(count_type(config, "Add"), 2 * L);
  EXPECT_EQ(count_type(config, "Dropout"), 0);
  EXPECT_EQ(layer_named(config, "block0_attention")["causal"], true);
  EXPECT_EQ(layer_named(config, "block2_mlp_up")["units"], 4 * d);
  EXPECT_EQ(layer_named(config, "block2_mlp_up")["activation"], "gelu");
  EXPECT_EQ(layer_named(config, "logits")["use_bias"], false);
  EXPECT_EQ(layer_named(config, "token_embedding")["embeddings_initializer"], "normal:0.02");
  // Pre-norm residuals: each block adds its branch to the stream that entered it.
  EXPECT_EQ(layer_named(config, "block1_attention_residual")["inbound"],
            json::array({"block0_mlp_residual", "block1_attention"}));
  EXPECT_EQ(layer_named(config, "block1_attention_norm")["inbound"],
            json::array({"block0_mlp_residual"}));

  Model model(network_from_config(config, 1));
  EXPECT_EQ(model.output_shape(), (Shape{T, V}));
  EXPECT_EQ(model.count_params(),
            V * d + T * d + L * (4 * d + 4 * d * d + 4 * d + 8 * d * d + 5 * d) + 2 * d + d * V);
}

TEST(GptModel, DropoutFollowsTheEmbeddingsAndEachBranch) {
  const json config = model_config("gpt:layers=2,heads=2,dim=8,context=4,dropout=0.2", {4}, 5);
  EXPECT_EQ(count_type(config, "Dropout"), 1 + 2 * 2);
  EXPECT_EQ(layer_named(config, "block1_attention")["dropout"], 0.2);
}

TEST(GptModel, RefusesDataOfAnotherShape) {
  EXPECT_THROW(model_config("gpt:context=8", {16}, 5), InvalidArgument);
  EXPECT_THROW(model_config("gpt:context=8", {8, 1}, 5), InvalidArgument);
}

}  // namespace
}  // namespace descent::cli
