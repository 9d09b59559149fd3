// The Conv2D layer's options against PyTorch (tests/fixtures/pool_conv.json): padding "same" as
// Keras/TensorFlow pads (the odd zero after), strides, use_bias false.
#include "nn/conv2d.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "nn/layer_config.h"
#include "torch_cases.h"

namespace descent {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using torch_cases::expect_close;
using torch_cases::tensor_from;

// Each case's layer from its model-file keys, with the case's weights: output and every gradient.
TEST(Conv2DLayer, PaddingStridesAndBiasMatchTorch) {
  for (const char* name :
       {"conv_same_k3_s1", "conv_same_k2_s1", "conv_same_k3_s2_even", "conv_same_k4_s2",
        "conv_same_k1_s2", "conv_same_k5_s3", "conv_valid_k3_s2_nobias"}) {
    SCOPED_TRACE(name);
    const json& c = torch_cases::pool_conv(name);
    const json& p = c.at("params");
    const auto layer = layer_from_config({{"type", "Conv2D"},
                                          {"filters", p.at("filters")},
                                          {"kernel_size", p.at("kernel_size")},
                                          {"strides", p.at("strides")},
                                          {"padding", p.at("padding")},
                                          {"use_bias", p.at("use_bias")}});
    Variable x(tensor_from(c.at("inputs").at("x")), true);
    const Shape& xs = x.shape();
    Rng rng(1);
    const Shape out = layer->build({xs[1], xs[2], xs[3]}, rng);
    EXPECT_EQ(out, layer->plan({xs[1], xs[2], xs[3]}).output);
    std::vector<Parameter> params = layer->parameters();
    ASSERT_EQ(params.size(), p.at("use_bias").get<bool>() ? 2u : 1u);
    params[0].variable.value() = tensor_from(c.at("inputs").at("w"));
    if (params.size() == 2) params[1].variable.value() = tensor_from(c.at("inputs").at("b"));
    Variable y = layer->forward(x, true);
    EXPECT_EQ(Shape(y.shape().begin() + 1, y.shape().end()), out);
    expect_close(y.value(), c.at("output"), "output");
    y.backward(tensor_from(c.at("weight")));
    expect_close(x.grad(), c.at("grads").at("x"), "gradient of x");
    expect_close(params[0].variable.grad(), c.at("grads").at("w"), "gradient of the kernel");
    if (params.size() == 2)
      expect_close(params[1].variable.grad(), c.at("grads").at("b"), "gradient of the bias");
  }
}

TEST(Conv2DLayer, SamePaddingOutputIsInputOverStrideRoundedUp) {
  Conv2D layer(2, 4, {.stride = 3, .padding = "same"});
  EXPECT_EQ(layer.plan({1, 7, 9}).output, (Shape{2, 3, 3}));
  // "same" pads even a kernel larger than the input.
  EXPECT_EQ(layer.plan({1, 2, 3}).output, (Shape{2, 1, 1}));
  Conv2D valid(2, 3, {.stride = 3});
  EXPECT_THROW(valid.plan({1, 2, 5}), InvalidArgument);
  EXPECT_EQ(valid.plan({1, 7, 9}).output, (Shape{2, 2, 3}));
  EXPECT_THAT(
      [] {
        try {
          layer_from_config(
              {{"type", "Conv2D"}, {"filters", 1}, {"kernel_size", 2}, {"padding", "causal"}});
        } catch (const InvalidArgument& e) {
          return std::string(e.what());
        }
        return std::string("accepted");
      }(),
      HasSubstr("unknown padding 'causal'"));
}

TEST(Conv2DLayer, ConfigRoundTripsPaddingStridesAndBias) {
  const json config = {{"type", "Conv2D"},    {"filters", 3},      {"kernel_size", 2},
                       {"strides", 2},        {"padding", "same"}, {"use_bias", false},
                       {"activation", "relu"}};
  const json written = layer_from_config(config)->config();
  EXPECT_EQ(written["strides"], 2);
  EXPECT_EQ(written["padding"], "same");
  EXPECT_EQ(written["use_bias"], false);
  EXPECT_EQ(layer_from_config(written)->config(), written);
}

}  // namespace
}  // namespace descent
