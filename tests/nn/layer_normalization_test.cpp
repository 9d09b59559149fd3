#include "nn/layer_normalization.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "gradcheck.h"
#include "layer_fixture.h"

namespace descent {
namespace {

using testing::expect_float64_gradients;
using testing::expect_near_fixture;
using testing::fixture_tensor;
using testing::layer_case;

void expect_matches_torch(const std::string& name) {
  SCOPED_TRACE(name);
  const nlohmann::json& c = layer_case(name);
  const Tensor x0 = fixture_tensor(c.at("x"));
  LayerNormalization layer({.epsilon = c.at("epsilon").get<double>()});
  layer.set_name("layer_normalization");
  Rng rng(1);
  const Shape inner(x0.shape().begin() + 1, x0.shape().end());
  EXPECT_EQ(layer.build(inner, rng), inner);
  layer.gamma() = Variable(fixture_tensor(c.at("gamma")), true);
  layer.beta() = Variable(fixture_tensor(c.at("beta")), true);
  Variable x(x0, true);
  Variable y = layer.forward(x, false);
  expect_near_fixture(y.value(), c.at("output"), 1e-5, "output");
  y.backward(fixture_tensor(c.at("weight")));
  expect_near_fixture(x.grad(), c.at("grad_x"), 1e-5, "gradient of x");
  expect_near_fixture(layer.gamma().grad(), c.at("grad_gamma"), 1e-5, "gradient of gamma");
  expect_near_fixture(layer.beta().grad(), c.at("grad_beta"), 1e-5, "gradient of beta");
}

TEST(LayerNormalization, MatchesTorchOnRank2And3) {
  expect_matches_torch("layer_norm_rank2");
  expect_matches_torch("layer_norm_rank3");
}

TEST(LayerNormalization, Float64GradientsMatchCentralDifferences) {
  Rng rng(7);
  LayerNormalization layer({.epsilon = 1e-5});
  layer.build({3, 4}, rng);
  Tensor x64({2, 3, 4}, DType::f64), gamma64({4}, DType::f64), beta64({4}, DType::f64),
      w({2, 3, 4}, DType::f64);
  for (Tensor* t : {&x64, &gamma64, &beta64, &w})
    for (std::int64_t i = 0; i < t->size(); ++i)
      t->data<double>()[i] = rng.uniform(-1.0, 1.0);
  std::vector<Variable> inputs{Variable(x64, true), Variable(gamma64, true),
                               Variable(beta64, true)};
  const auto loss = [&]() {
    layer.gamma() = inputs[1];
    layer.beta() = inputs[2];
    return sum(mul(layer.forward(inputs[0], false), Variable(w)));
  };
  expect_float64_gradients(loss, inputs, 1e-7, 1e-6);
}

TEST(LayerNormalization, ParametersPlanAndOptions) {
  LayerNormalization layer;
  layer.set_name("ln");
  Rng rng(1);
  EXPECT_EQ(layer.plan({7, 16}).weights, 32.0);
  layer.build({7, 16}, rng);
  const auto params = layer.parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "ln/gamma");
  EXPECT_EQ(params[1].name, "ln/beta");
  EXPECT_EQ(params[0].variable.value().at(3), 1.0);
  EXPECT_EQ(params[1].variable.value().at(3), 0.0);
  EXPECT_EQ(layer.config().at("epsilon").get<double>(), 1e-3);

  LayerNormalization bare({.center = false, .scale = false});
  EXPECT_EQ(bare.plan({5}).weights, 0.0);
  bare.build({5}, rng);
  EXPECT_TRUE(bare.parameters().empty());
  // Without gamma and beta each row has mean 0 and (biased) variance 1 / (1 + ε/var).
  const Variable y = bare.forward(Variable(Tensor({1, 5}, {1, 2, 3, 4, 5})), false);
  EXPECT_NEAR(y.value().at(0), -2.0 / std::sqrt(2.0 + 1e-3), 1e-6);

  EXPECT_THROW(layer.plan({2, 3, 4}), InvalidArgument);
  EXPECT_THROW(LayerNormalization({.epsilon = 0}), InvalidArgument);
}

}  // namespace
}  // namespace descent
