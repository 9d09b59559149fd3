// AveragePooling2D and GlobalAveragePooling2D: shapes, values and gradients against PyTorch
// (tests/fixtures/pool_conv.json), their model-file keys, plans and config round trips.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "nn/average_pooling2d.h"
#include "nn/global_average_pooling2d.h"
#include "nn/layer_config.h"
#include "nn/model_plan.h"
#include "nn/sequential.h"
#include "torch_cases.h"

namespace descent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using torch_cases::expect_close;
using torch_cases::tensor_from;

// Runs `layer`, built for the case's input, on it; compares the output and the input's gradient
// of sum(output · weight).
void expect_layer_matches_torch(Layer& layer, const std::string& name) {
  SCOPED_TRACE("case " + name);
  const json& c = torch_cases::pool_conv(name);
  Variable x(tensor_from(c.at("inputs").at("x")), true);
  Rng rng(1);
  const Shape& xs = x.shape();
  const Shape out = c.at("output").at("shape").get<Shape>();
  EXPECT_EQ(layer.build({xs[1], xs[2], xs[3]}, rng), Shape(out.begin() + 1, out.end()));
  Variable y = layer.forward(x, true);
  expect_close(y.value(), c.at("output"), "output");
  y.backward(tensor_from(c.at("weight")));
  expect_close(x.grad(), c.at("grads").at("x"), "gradient");
}

std::string config_error(const json& config) {
  try {
    layer_from_config(config);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(AveragePooling2D, MatchesTorch) {
  for (const char* name : {"avg_pool2d_2", "avg_pool2d_3_stride2", "avg_pool2d_2_stride1",
                           "avg_pool2d_2_stride3", "avg_pool2d_2_odd"}) {
    const json& p = torch_cases::pool_conv(name).at("params");
    AveragePooling2D layer(p.at("size").get<int>(), p.at("stride").get<int>());
    expect_layer_matches_torch(layer, name);
  }
}

TEST(AveragePooling2D, StrideDefaultsToPoolSizeAndBadSizesThrow) {
  AveragePooling2D layer(3);
  EXPECT_EQ(layer.plan({2, 9, 7}).output, (Shape{2, 3, 2}));
  EXPECT_EQ(layer.plan({2, 9, 7}).weights, 0.0);
  EXPECT_THROW(AveragePooling2D(0), InvalidArgument);
  EXPECT_THROW(layer.plan({2, 2, 7}), InvalidArgument);
  EXPECT_THROW(layer.plan({9, 7}), InvalidArgument);
}

TEST(AveragePooling2D, ConfigKeysDefaultsAndRoundTrip) {
  const auto layer = layer_from_config({{"type", "AveragePooling2D"}});
  EXPECT_EQ(layer->config(),
            json({{"type", "AveragePooling2D"}, {"pool_size", 2}, {"strides", 2}}));
  const json keras = {
      {"type", "AveragePooling2D"}, {"pool_size", 3}, {"strides", 1}, {"padding", "valid"}};
  const json written = layer_from_config(keras)->config();
  EXPECT_EQ(written, json({{"type", "AveragePooling2D"}, {"pool_size", 3}, {"strides", 1}}));
  EXPECT_EQ(layer_from_config(written)->config(), written);
  EXPECT_EQ(layer_from_config({{"type", "AvgPool2D"}})->type(), "AveragePooling2D");
  EXPECT_THAT(config_error({{"type", "AveragePooling2D"}, {"pool", 2}}),
              HasSubstr("layer AveragePooling2D has unknown key \"pool\""));
  EXPECT_THAT(config_error({{"type", "AveragePooling2D"}, {"padding", "same"}}),
              HasSubstr("padding must be \"valid\", got \"same\""));
  EXPECT_THAT(config_error({{"type", "AveragePooling2D"}, {"pool_size", 0}}),
              HasSubstr("pool_size must be > 0"));
}

TEST(GlobalAveragePooling2D, MatchesTorch) {
  for (const char* name : {"global_avg_pool2d", "global_avg_pool2d_1x1"}) {
    GlobalAveragePooling2D layer;
    expect_layer_matches_torch(layer, name);
  }
}

TEST(GlobalAveragePooling2D, PlanConfigAndRejections) {
  GlobalAveragePooling2D layer;
  EXPECT_EQ(layer.plan({8, 4, 4}).output, (Shape{8}));
  EXPECT_THROW(layer.plan({8, 4}), InvalidArgument);
  const json config = {{"type", "GlobalAveragePooling2D"}};
  EXPECT_EQ(layer_from_config(config)->config(), config);
  EXPECT_EQ(layer_from_config({{"type", "GlobalAvgPool2D"}})->type(), "GlobalAveragePooling2D");
  EXPECT_THAT(config_error({{"type", "GlobalAveragePooling2D"}, {"keepdims", true}}),
              HasSubstr("layer GlobalAveragePooling2D has unknown key \"keepdims\""));
}

// A small ResNet-style stack: strided "same" convolutions, average pooling, a global average head.
const char* kSmallResNetHead = R"({"input_shape": [3, 16, 15], "layers": [
    {"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"type": "AveragePooling2D", "pool_size": 2},
    {"type": "Conv2D", "filters": 8, "kernel_size": 2, "strides": 2, "padding": "same",
     "use_bias": false},
    {"type": "GlobalAveragePooling2D"},
    {"type": "Dense", "units": 3}]})";

TEST(PoolingLayers, PlanSummaryAndRoundTripInAModel) {
  const json config = json::parse(kSmallResNetHead);
  Sequential model = Sequential::from_config(config);
  // 16x15 -> same conv 16x15 -> pool 8x7 -> stride 2 same 4x4 -> global (8,) -> (3,).
  Shape shape = model.input_shape();
  std::vector<Shape> shapes;
  for (const auto& layer : model.layers())
    shapes.push_back(shape = layer->plan(shape).output);
  EXPECT_EQ(shapes, (std::vector<Shape>{{4, 16, 15}, {4, 8, 7}, {8, 4, 4}, {8}, {3}}));
  const ModelPlan plan = plan_model(config);
  EXPECT_EQ(plan.weights, double(model.count_params()));
  EXPECT_EQ(model.count_params(), 4 * 3 * 9 + 4 + 8 * 4 * 4 + 8 * 3 + 3);
  const std::string summary = model.summary();
  EXPECT_THAT(summary, HasSubstr("average_pooling2d (AveragePooling2D)"));
  EXPECT_THAT(summary, HasSubstr("global_average_pooling2d (GlobalAveragePooling2D)"));
  EXPECT_THAT(summary, HasSubstr("(None, 8, 4, 4)"));
  Sequential rebuilt = Sequential::from_config(model.config());
  EXPECT_EQ(rebuilt.config(), model.config());
  Variable x(Tensor({2, 3, 16, 15}, 0.5f));
  EXPECT_EQ(model.forward(x, true).shape(), (Shape{2, 3}));
}

}  // namespace
}  // namespace descent
