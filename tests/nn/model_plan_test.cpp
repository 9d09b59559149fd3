// plan_model works out a model's size without building it; it must agree with the model built.
#include "nn/model_plan.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "nn/sequential.h"

namespace descent {
namespace {

using nlohmann::json;

// The plan's weights and activations against the built model's parameters and layer outputs.
void expect_plan_matches_build(const json& config) {
  const ModelPlan plan = plan_model(config);
  const Sequential model = Sequential::from_config(config);
  EXPECT_EQ(plan.input, model.input_shape());
  EXPECT_EQ(plan.weights, double(model.count_params()));
  double activations = 0;
  Shape shape = model.input_shape();
  for (const auto& layer : model.layers()) {
    const LayerPlan plan_of_layer = layer->plan(shape);
    shape = plan_of_layer.output;
    activations += double(shape_size(shape)) + plan_of_layer.intermediates;
  }
  EXPECT_EQ(shape, model.output_shape());
  EXPECT_EQ(plan.activations, activations);
}

TEST(ModelPlan, MatchesTheBuiltMlp) {
  expect_plan_matches_build(json::parse(R"({"input_shape": [3], "layers": [
        {"type": "Dense", "units": 5, "activation": "relu"}, {"type": "Dropout", "rate": 0.5},
        {"type": "Dense", "units": 2, "use_bias": false}]})"));
}

TEST(ModelPlan, MatchesTheBuiltCnn) {
  expect_plan_matches_build(json::parse(R"({"input_shape": [1, 12, 12], "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "MaxPool2D", "pool_size": 2}, {"type": "Flatten"},
        {"type": "Dense", "units": 3}]})"));
}

TEST(ModelPlan, MatchesTheBuiltAttentionBlock) {
  expect_plan_matches_build(json::parse(R"({"input_shape": [7, 8], "layers": [
        {"type": "PositionalEmbedding", "max_length": 16}, {"type": "LayerNormalization"},
        {"type": "MultiHeadAttention", "num_heads": 2, "causal": true},
        {"type": "Dense", "units": 12, "activation": "gelu"}, {"type": "Dense", "units": 8},
        {"type": "MultiHeadAttention", "num_heads": 4, "use_bias": false}]})"));
}

// Attention keeps q, k, v and the joined heads (time × features each) and, per head, time × time
// scores and their softmax: a long context costs memory quadratically.
TEST(ModelPlan, CountsAttentionsScoresPerHeadAndTimeSquared) {
  const ModelPlan plan = plan_model(json::parse(R"({"input_shape": [7, 8], "layers": [
        {"type": "MultiHeadAttention", "num_heads": 2, "causal": true}]})"));
  EXPECT_DOUBLE_EQ(plan.activations, 7 * 8 + 4 * 7 * 8 + 2 * 2 * 7 * 7);
  const ModelPlan long_context = plan_model(json::parse(R"({"input_shape": [100000, 8], "layers": [
        {"type": "MultiHeadAttention", "num_heads": 4}]})"));
  EXPECT_GT(long_context.activations, 8e10);
}

TEST(ModelPlan, CountsAnAbsurdWidthWithoutAllocatingOrOverflowing) {
  const ModelPlan plan = plan_model(json::parse(R"({"input_shape": [4000000000], "layers": [
        {"type": "Dense", "units": 4000000000}, {"type": "Dense", "units": 2}]})"));
  EXPECT_DOUBLE_EQ(plan.weights, 4e9 * 4e9 + 4e9 + 4e9 * 2 + 2);  // past 2^63
  EXPECT_DOUBLE_EQ(plan.activations, 4e9 + 2);
}

TEST(ModelPlan, RejectsWhatBuildingRejects) {
  EXPECT_THROW(plan_model(json::parse(R"({"layers": [{"type": "Dense", "units": 2}]})")),
               InvalidArgument);  // no input shape
  EXPECT_THROW(plan_model(json::parse(R"({"input_shape": [1, 2, 2], "layers": [
        {"type": "Conv2D", "filters": 1, "kernel_size": 3}]})")),
               InvalidArgument);  // kernel larger than the input
  EXPECT_THROW(plan_model(json::parse(R"({"input_shape": [5, 6], "layers": [
        {"type": "MultiHeadAttention", "num_heads": 4}]})")),
               InvalidArgument);  // 6 features in 4 heads
  EXPECT_THROW(plan_model(json::parse(R"({"input_shape": [9, 6], "layers": [
        {"type": "PositionalEmbedding", "max_length": 8}]})")),
               InvalidArgument);  // longer than max_length
  EXPECT_THROW(plan_model(json::parse(R"({"input_shape": [2], "layers": [
        {"type": "Dense", "units": 0}]})")),
               InvalidArgument);
}

}  // namespace
}  // namespace descent
