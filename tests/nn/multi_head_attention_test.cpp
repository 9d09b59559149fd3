#include "nn/multi_head_attention.h"

#include <cmath>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "core/autograd.h"
#include "core/error.h"
#include "core/ops.h"
#include "gradcheck.h"
#include "layer_fixture.h"
#include "nn/dense.h"
#include "nn/layer_config.h"
#include "nn/layer_normalization.h"
#include "nn/positional_embedding.h"
#include "nn/sequential.h"

namespace descent {
namespace {

using testing::expect_float64_gradients;
using testing::expect_near_fixture;
using testing::fixture_tensor;

const nlohmann::json& attention_case(const std::string& name) {
  static const nlohmann::json cases = test_fixtures::read("attention.json").at("cases");
  return cases.at(name);
}

// The layer's weights in the order of its parameters(), to set and read them alike.
std::vector<std::pair<std::string, Variable*>> attention_weights(MultiHeadAttention& layer) {
  return {{"query_kernel", &layer.query_kernel()},   {"query_bias", &layer.query_bias()},
          {"key_kernel", &layer.key_kernel()},       {"key_bias", &layer.key_bias()},
          {"value_kernel", &layer.value_kernel()},   {"value_bias", &layer.value_bias()},
          {"output_kernel", &layer.output_kernel()}, {"output_bias", &layer.output_bias()}};
}

void expect_attention_matches_torch(const std::string& name) {
  SCOPED_TRACE(name);
  const nlohmann::json& c = attention_case(name);
  const bool use_bias = c.at("use_bias").get<bool>();
  MultiHeadAttention layer(c.at("num_heads").get<std::int64_t>(),
                           {.use_bias = use_bias, .causal = c.at("causal").get<bool>()});
  layer.set_name("multi_head_attention");
  Rng rng(1);
  const Tensor q0 = fixture_tensor(c.at("query"));
  const Shape inner(q0.shape().begin() + 1, q0.shape().end());
  EXPECT_EQ(layer.build(inner, rng), inner);
  for (auto& [what, weight] : attention_weights(layer)) {
    ASSERT_EQ(weight->defined(), c.contains(what)) << what;
    if (weight->defined()) *weight = Variable(fixture_tensor(c.at(what)), true);
  }
  Variable query(q0, true);
  Variable y;
  Variable key, value;
  if (c.contains("key")) {
    key = Variable(fixture_tensor(c.at("key")), true);
    value = Variable(fixture_tensor(c.at("value")), true);
    y = layer.attend(query, key, value, false);
  } else {
    y = layer.forward(query, false);
  }
  expect_near_fixture(y.value(), c.at("output"), 1e-5, "output");
  y.backward(fixture_tensor(c.at("weight")));
  expect_near_fixture(query.grad(), c.at("grad_query"), 1e-5, "gradient of the query");
  if (key.defined()) {
    expect_near_fixture(key.grad(), c.at("grad_key"), 1e-5, "gradient of the key");
    expect_near_fixture(value.grad(), c.at("grad_value"), 1e-5, "gradient of the value");
  }
  for (auto& [what, weight] : attention_weights(layer))
    if (weight->defined())
      expect_near_fixture(weight->grad(), c.at("grad_" + what), 1e-5, "gradient of " + what);
}

TEST(MultiHeadAttention, SelfAttentionMatchesTorch) {
  expect_attention_matches_torch("mha");
  expect_attention_matches_torch("mha_no_bias");
}

TEST(MultiHeadAttention, CausalSelfAttentionMatchesTorch) {
  expect_attention_matches_torch("mha_causal");
  expect_attention_matches_torch("mha_causal_no_bias");
}

TEST(MultiHeadAttention, SeparateQueryKeyAndValueMatchTorch) {
  expect_attention_matches_torch("mha_cross");
  expect_attention_matches_torch("mha_cross_causal");
}

Tensor random_f64(const Shape& shape, Rng& rng, double scale = 1.0) {
  Tensor t(shape, DType::f64);
  for (std::int64_t i = 0; i < t.size(); ++i)
    t.data<double>()[i] = scale * rng.uniform(-1.0, 1.0);
  return t;
}

TEST(MultiHeadAttention, Float64GradientsMatchCentralDifferences) {
  for (const bool causal : {false, true}) {
    SCOPED_TRACE(causal ? "causal" : "not causal");
    Rng rng(11);
    MultiHeadAttention layer(2, {.causal = causal});
    layer.build({3, 4}, rng);
    std::vector<Variable> inputs{Variable(random_f64({2, 3, 4}, rng), true)};
    for (auto& [what, weight] : attention_weights(layer))
      inputs.emplace_back(random_f64(weight->shape(), rng, 0.7), true);
    const Variable w(random_f64({2, 3, 4}, rng));
    const auto loss = [&] {
      auto weights = attention_weights(layer);
      for (std::size_t k = 0; k < weights.size(); ++k)
        *weights[k].second = inputs[k + 1];
      return sum(mul(layer.forward(inputs[0], false), w));
    };
    expect_float64_gradients(loss, inputs);
  }
}

TEST(MultiHeadAttention, Float64GradientsOfSeparateInputsMatchCentralDifferences) {
  Rng rng(12);
  MultiHeadAttention layer(2, {.use_bias = false, .causal = true});
  layer.build({3, 4}, rng);
  for (auto& [what, weight] : attention_weights(layer))
    if (weight->defined()) *weight = Variable(random_f64(weight->shape(), rng, 0.7), true);
  std::vector<Variable> inputs{Variable(random_f64({2, 3, 4}, rng), true),
                               Variable(random_f64({2, 2, 4}, rng), true),
                               Variable(random_f64({2, 2, 4}, rng), true)};
  const Variable w(random_f64({2, 3, 4}, rng));
  const auto loss = [&] {
    return sum(mul(layer.attend(inputs[0], inputs[1], inputs[2], false), w));
  };
  expect_float64_gradients(loss, inputs);
}

// Second derivatives come from the graph ops, through the causal mask's -inf too: the exact
// Hessian-vector product in the input and every weight equals central differences of the gradient.
TEST(MultiHeadAttention, HessianVectorProductsMatchDifferencesOfGradients) {
  Rng rng(13);
  MultiHeadAttention layer(2, {.causal = true});
  layer.build({3, 4}, rng);
  std::vector<Variable> params{Variable(random_f64({2, 3, 4}, rng), true)};
  std::vector<Tensor> v{random_f64({2, 3, 4}, rng)};
  for (auto& [what, weight] : attention_weights(layer)) {
    params.emplace_back(random_f64(weight->shape(), rng, 0.7), true);
    v.push_back(random_f64(weight->shape(), rng));
  }
  const Variable w(random_f64({2, 3, 4}, rng));
  const auto loss = [&] {
    auto weights = attention_weights(layer);
    for (std::size_t k = 0; k < weights.size(); ++k)
      *weights[k].second = params[k + 1];
    return sum(mul(square(layer.forward(params[0], false)), w));
  };
  const std::vector<Tensor> hv = hvp(loss(), params, v);
  constexpr double eps = 1e-6;
  const auto gradient_at = [&](double step) {
    for (std::size_t k = 0; k < params.size(); ++k)
      for (std::int64_t i = 0; i < v[k].size(); ++i)
        params[k].value().data<double>()[i] += step * v[k].at(i);
    std::vector<Tensor> out;
    for (const Variable& g : grad(loss(), params))
      out.push_back(g.value());
    for (std::size_t k = 0; k < params.size(); ++k)
      for (std::int64_t i = 0; i < v[k].size(); ++i)
        params[k].value().data<double>()[i] -= step * v[k].at(i);
    return out;
  };
  const std::vector<Tensor> plus = gradient_at(eps), minus = gradient_at(-eps);
  for (std::size_t k = 0; k < params.size(); ++k)
    for (std::int64_t i = 0; i < v[k].size(); ++i) {
      const double numeric = (plus[k].at(i) - minus[k].at(i)) / (2 * eps);
      EXPECT_NEAR(hv[k].at(i), numeric, 1e-5 + 1e-3 * std::abs(numeric))
          << "parameter " << k << " element " << i;
    }
}

Tensor random_f32(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  for (std::int64_t i = 0; i < t.size(); ++i)
    t[i] = static_cast<float>(rng.uniform(-1.0, 1.0));
  return t;
}

TEST(MultiHeadAttention, CausalOutputAtAPositionIgnoresLaterInputs) {
  constexpr std::int64_t n = 2, t = 6, e = 8, kept = 3;  // positions 0..2 must not move
  for (const bool causal : {true, false}) {
    SCOPED_TRACE(causal ? "causal" : "not causal");
    Rng rng(5);
    MultiHeadAttention layer(2, {.causal = causal});
    layer.build({t, e}, rng);
    Tensor x = random_f32({n, t, e}, rng);
    const Tensor before = layer.forward(Variable(x), false).value();
    for (std::int64_t b = 0; b < n; ++b)
      for (std::int64_t i = kept * e; i < t * e; ++i)
        x[b * t * e + i] += 0.5f;
    const Tensor after = layer.forward(Variable(x), false).value();
    bool earlier_moved = false, later_moved = false;
    for (std::int64_t b = 0; b < n; ++b)
      for (std::int64_t i = 0; i < t * e; ++i) {
        const bool moved = before[b * t * e + i] != after[b * t * e + i];
        (i < kept * e ? earlier_moved : later_moved) |= moved;
      }
    EXPECT_EQ(earlier_moved, !causal);
    EXPECT_TRUE(later_moved);
  }
}

TEST(MultiHeadAttention, DropsAttentionWeightsOnlyWhileTraining) {
  Rng rng(3);
  MultiHeadAttention layer(2, {.dropout = 0.5f});
  layer.build({4, 8}, rng);
  const Variable x(random_f32({2, 4, 8}, rng));
  const Tensor inference = layer.forward(x, false).value();
  const Rng saved = *layer.random_stream();
  EXPECT_EQ(layer.forward(x, false).value().values()[5], inference.values()[5]);
  const Tensor first = layer.forward(x, true).value();
  const Tensor second = layer.forward(x, true).value();
  std::int64_t differ_from_inference = 0, differ_between_draws = 0;
  for (std::int64_t i = 0; i < inference.size(); ++i) {
    differ_from_inference += first[i] != inference[i];
    differ_between_draws += first[i] != second[i];
  }
  EXPECT_GT(differ_from_inference, inference.size() / 2);
  EXPECT_GT(differ_between_draws, inference.size() / 2);
  // The layer's own stream: restoring it (as a checkpoint does) draws the same mask again.
  *layer.random_stream() = saved;
  const Tensor again = layer.forward(x, true).value();
  for (std::int64_t i = 0; i < inference.size(); ++i)
    EXPECT_EQ(again[i], first[i]) << i;
}

TEST(MultiHeadAttention, ParametersInitializationAndPlan) {
  constexpr std::int64_t e = 32;
  MultiHeadAttention layer(4);
  layer.set_name("mha");
  Rng rng(9);
  EXPECT_EQ(layer.plan({10, e}).weights, double(4 * e * e + 4 * e));
  EXPECT_EQ(layer.build({10, e}, rng), (Shape{10, e}));
  const auto params = layer.parameters();
  ASSERT_EQ(params.size(), 8u);
  const std::vector<std::string> names{"mha/query_kernel",  "mha/query_bias",   "mha/key_kernel",
                                       "mha/key_bias",      "mha/value_kernel", "mha/value_bias",
                                       "mha/output_kernel", "mha/output_bias"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(params[i].name, names[i]);
    double largest = 0;
    for (float v : params[i].variable.value().values())
      largest = std::max(largest, double(std::abs(v)));
    if (i % 2 == 1) {
      EXPECT_EQ(largest, 0.0) << names[i];  // biases start at zero
      continue;
    }
    // PyTorch's bounds: xavier_uniform over the packed (3E, E) input kernel, Linear's default on
    // the output kernel. 1024 draws come within 10% of the bound.
    const double bound = i < 6 ? std::sqrt(6.0 / (4 * e)) : 1.0 / std::sqrt(double(e));
    EXPECT_LE(largest, bound) << names[i];
    EXPECT_GT(largest, 0.9 * bound) << names[i];
  }
  MultiHeadAttention bare(2, {.use_bias = false});
  EXPECT_EQ(bare.plan({3, 6}).weights, 4.0 * 36);
  bare.build({3, 6}, rng);
  EXPECT_EQ(bare.parameters().size(), 4u);
}

std::string rejection_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "accepted";
}

TEST(MultiHeadAttention, RejectsBadOptionsAndShapesWithOneLine) {
  EXPECT_EQ(rejection_of([] { MultiHeadAttention(0); }),
            "MultiHeadAttention: num_heads must be > 0, got 0");
  EXPECT_EQ(rejection_of([] { MultiHeadAttention(-2); }),
            "MultiHeadAttention: num_heads must be > 0, got -2");
  EXPECT_EQ(rejection_of([] { MultiHeadAttention(2, {.dropout = 1.0f}); }),
            "MultiHeadAttention: dropout must be in [0, 1), got 1");
  EXPECT_EQ(rejection_of([] { MultiHeadAttention(2, {.dropout = -0.1f}); }),
            "MultiHeadAttention: dropout must be in [0, 1), got -0.1");
  EXPECT_EQ(rejection_of([] { MultiHeadAttention(2, {.dropout = std::nanf("")}); }),
            "MultiHeadAttention: dropout must be in [0, 1), got nan");
  MultiHeadAttention layer(3);
  layer.set_name("attention");
  Rng rng(1);
  EXPECT_EQ(rejection_of([&] {
              layer.plan({5, 8});
            }),
            "MultiHeadAttention: the input's 8 features do not divide into 3 heads");
  EXPECT_EQ(rejection_of([&] { layer.plan({8}); }),
            "MultiHeadAttention expects inputs of shape (time, features), got (8,)");
  layer.build({5, 9}, rng);
  EXPECT_EQ(rejection_of([&] {
              layer.forward(Variable(Tensor({2, 5, 8})), false);
            }),
            "attention: expected query (batch, time, 9) and key and value (batch, source time, "
            "9), got (2, 5, 8), (2, 5, 8) and (2, 5, 8)");
  EXPECT_THROW(layer.attend(Variable(Tensor({2, 5, 9})), Variable(Tensor({2, 4, 9})),
                            Variable(Tensor({2, 3, 9})), false),
               InvalidArgument);
}

TEST(PositionalEmbedding, AddsTheFirstRowsLikeTorch) {
  const nlohmann::json& c = attention_case("positional_embedding");
  PositionalEmbedding layer(7);
  layer.set_name("positional_embedding");
  Rng rng(1);
  EXPECT_EQ(layer.build({5, 8}, rng), (Shape{5, 8}));
  layer.embeddings() = Variable(fixture_tensor(c.at("embeddings")), true);
  Variable x(fixture_tensor(c.at("x")), true);
  Variable y = layer.forward(x, false);
  expect_near_fixture(y.value(), c.at("output"), 1e-6, "output");
  y.backward(fixture_tensor(c.at("weight")));
  expect_near_fixture(x.grad(), c.at("grad_x"), 1e-6, "gradient of x");
  expect_near_fixture(layer.embeddings().grad(), c.at("grad_embeddings"), 1e-6,
                      "gradient of the embeddings");
}

TEST(PositionalEmbedding, Float64GradientsMatchCentralDifferences) {
  Rng rng(4);
  PositionalEmbedding layer(6);
  layer.build({4, 3}, rng);
  std::vector<Variable> inputs{Variable(random_f64({2, 4, 3}, rng), true),
                               Variable(random_f64({6, 3}, rng), true)};
  const Variable w(random_f64({2, 4, 3}, rng));
  const auto loss = [&] {
    layer.embeddings() = inputs[1];
    return sum(mul(layer.forward(inputs[0], false), w));
  };
  expect_float64_gradients(loss, inputs);
}

TEST(PositionalEmbedding, RefusesLongSequencesAndBadOptions) {
  EXPECT_EQ(rejection_of([] { PositionalEmbedding(0); }),
            "PositionalEmbedding: max_length must be > 0, got 0");
  PositionalEmbedding layer(4);
  layer.set_name("positions");
  Rng rng(1);
  EXPECT_EQ(rejection_of([&] {
              layer.plan({5, 8});
            }),
            "PositionalEmbedding: sequences of length 5 exceed max_length 4");
  EXPECT_EQ(layer.plan({4, 8}).weights, 32.0);
  layer.build({3, 8}, rng);
  EXPECT_EQ(layer.forward(Variable(Tensor({2, 4, 8})), false).shape(), (Shape{2, 4, 8}));
  EXPECT_EQ(rejection_of([&] {
              layer.forward(Variable(Tensor({2, 5, 8})), false);
            }),
            "positions: a sequence of length 5 exceeds max_length 4");
  EXPECT_EQ(rejection_of([&] {
              layer.forward(Variable(Tensor({2, 3, 7})), false);
            }),
            "positions: expected inputs of shape (batch, time, 8), got (2, 3, 7)");
  ASSERT_EQ(layer.parameters().size(), 1u);
  EXPECT_EQ(layer.parameters()[0].name, "positions/embeddings");
  double largest = 0;
  for (float v : layer.embeddings().value().values())
    largest = std::max(largest, double(std::abs(v)));
  EXPECT_LE(largest, 0.05);
  EXPECT_GT(largest, 0.0);
}

TEST(Dense, AppliesOverTheLastAxisOfRank3InputsAsRowsOfOneProduct) {
  Rng rng(8);
  Dense layer(5, {.activation = "tanh", .bias_initializer = Initializer::parse("uniform")});
  EXPECT_EQ(layer.plan({4, 6}).output, (Shape{4, 5}));
  EXPECT_EQ(layer.plan({4, 6}).weights, 35.0);
  EXPECT_EQ(layer.build({4, 6}, rng), (Shape{4, 5}));
  const Tensor x0 = random_f32({3, 4, 6}, rng);
  Variable x(x0, true);
  Variable y = layer.forward(x, false);
  ASSERT_EQ(y.shape(), (Shape{3, 4, 5}));
  const Tensor w = random_f32({3, 4, 5}, rng);
  y.backward(w);
  const Tensor kernel_grad = layer.kernel().grad(), bias_grad = layer.bias().grad();
  layer.kernel().zero_grad();
  layer.bias().zero_grad();
  // The same rows as one rank-2 batch: the same numbers, bit for bit.
  Variable rows(Tensor({12, 6}, x0.values()), true);
  Variable flat = layer.forward(rows, false);
  flat.backward(Tensor({12, 5}, w.values()));
  for (std::int64_t i = 0; i < y.value().size(); ++i)
    EXPECT_EQ(y.value()[i], flat.value()[i]) << i;
  for (std::int64_t i = 0; i < x0.size(); ++i)
    EXPECT_EQ(x.grad()[i], rows.grad()[i]) << i;
  for (std::int64_t i = 0; i < kernel_grad.size(); ++i)
    EXPECT_EQ(kernel_grad[i], layer.kernel().grad()[i]) << i;
  for (std::int64_t i = 0; i < bias_grad.size(); ++i)
    EXPECT_EQ(bias_grad[i], layer.bias().grad()[i]) << i;
  EXPECT_THROW(layer.forward(Variable(Tensor({3, 4, 7})), false), InvalidArgument);
}

// A GPT block's layers from model JSON through Sequential, on (batch, time, features).
TEST(MultiHeadAttention, AGptBlockFromModelJsonRunsThroughSequential) {
  const nlohmann::json config = {
      {"input_shape", {6, 8}},
      {"layers",
       {{{"type", "PositionalEmbedding"}, {"max_length", 16}},
        {{"type", "LayerNormalization"}, {"epsilon", 1e-5}},
        {{"type", "MultiHeadAttention"}, {"num_heads", 2}, {"causal", true}, {"dropout", 0.1}},
        {{"type", "Dense"}, {"units", 32}, {"activation", "gelu"}},
        {{"type", "Dense"}, {"units", 8}}}}};
  Sequential model = Sequential::from_config(config, 1);
  Rng rng(2);
  const Variable y = model.forward(Variable(random_f32({3, 6, 8}, rng)), true);
  EXPECT_EQ(y.shape(), (Shape{3, 6, 8}));
  sum(y).backward();
  std::int64_t parameters = 0;
  for (const Parameter& p : model.parameters()) {
    EXPECT_TRUE(p.variable.has_grad()) << p.name;
    parameters += p.variable.value().size();
  }
  EXPECT_EQ(parameters, 16 * 8 + 2 * 8 + (4 * 64 + 4 * 8) + (8 * 32 + 32) + (32 * 8 + 8));
  EXPECT_EQ(model.config().at("layers")[2], nlohmann::json({{"type", "MultiHeadAttention"},
                                                            {"num_heads", 2},
                                                            {"use_bias", true},
                                                            {"dropout", 0.1f},
                                                            {"causal", true}}));
}

}  // namespace
}  // namespace descent
