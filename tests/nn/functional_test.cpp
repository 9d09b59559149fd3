#include "nn/functional.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/ops.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/merge.h"
#include "nn/sequential.h"

namespace descent {
namespace {

using nlohmann::json;

// x (3) -> h = relu(Dense 4) -> h + Dense 4 (h) -> Dense 2.
Functional residual_mlp(std::uint64_t seed = 7) {
  const SymbolicTensor x = Input({3});
  const SymbolicTensor h = Dense(4, {.activation = "relu"})(x);
  const SymbolicTensor skip = Add()({h, Dense(4)(h)});
  return Functional({x}, {Dense(2)(skip)}, seed);
}

Tensor ramp(Shape shape, float scale) {
  Tensor t(std::move(shape));
  for (std::int64_t i = 0; i < t.size(); ++i)
    t[i] = scale * float((i * 7) % 11 - 5);
  return t;
}

void expect_invalid(const std::function<void()>& build, const std::string& message) {
  try {
    build();
    ADD_FAILURE() << "no error, expected: " << message;
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(Functional, ResidualMlpMatchesAHandWrittenComputation) {
  Functional model = residual_mlp();
  ASSERT_EQ(model.layers().size(), 5u);  // input, dense, dense_1, add, dense_2
  const StateDict w = model.weights();
  Variable x(ramp({5, 3}, 0.1f), true);
  const Tensor c = ramp({5, 2}, 0.3f);
  Variable y = model.forward(x, true);
  sum(mul(y, Variable(c))).backward();

  // The same network written out with the weights as fresh leaves.
  const auto leaf = [&](const char* name) { return Variable(w.tensors.at(name), true); };
  Variable w1 = leaf("dense/kernel"), b1 = leaf("dense/bias"), w2 = leaf("dense_1/kernel"),
           b2 = leaf("dense_1/bias"), w3 = leaf("dense_2/kernel"), b3 = leaf("dense_2/bias");
  Variable hx(x.value(), true);
  Variable h = relu(dense(hx, w1, b1));
  Variable expected = dense(add(h, dense(h, w2, b2)), w3, b3);
  sum(mul(expected, Variable(c))).backward();

  for (std::int64_t i = 0; i < y.value().size(); ++i)
    EXPECT_NEAR(y.value()[i], expected.value()[i], 1e-6) << i;
  const std::vector<std::pair<Variable, Variable>> grads = {{x, hx},
                                                            {model.parameters()[0].variable, w1},
                                                            {model.parameters()[1].variable, b1},
                                                            {model.parameters()[2].variable, w2},
                                                            {model.parameters()[3].variable, b2},
                                                            {model.parameters()[4].variable, w3},
                                                            {model.parameters()[5].variable, b3}};
  for (const auto& [got, want] : grads)
    for (std::int64_t i = 0; i < want.grad().size(); ++i)
      EXPECT_NEAR(got.grad()[i], want.grad()[i], 1e-5) << i;
}

TEST(Functional, AChainIsTheSequentialStack) {
  Sequential stack(3);
  stack.add(Dense(8, {.activation = "relu", .input_shape = {4}}));
  stack.add(Dropout(0.5f));
  stack.add(Dense(2));
  const SymbolicTensor x = Input({4});
  Functional graph({x}, {Dense(2)(Dropout(0.5f)(Dense(8, {.activation = "relu"})(x)))}, 3);

  const StateDict a = stack.weights(), b = graph.weights();
  ASSERT_EQ(a.tensors.size(), b.tensors.size());
  for (const auto& [name, tensor] : a.tensors)
    for (std::int64_t i = 0; i < tensor.size(); ++i)
      ASSERT_EQ(tensor[i], b.tensors.at(name)[i]) << name;
  const Tensor in = ramp({6, 4}, 0.2f);
  const Tensor ya = stack.forward(Variable(in), true).value(),
               yb = graph.forward(Variable(in), true).value();  // dropout draws alike too
  for (std::int64_t i = 0; i < ya.size(); ++i)
    ASSERT_EQ(ya[i], yb[i]) << i;
}

TEST(Functional, ConfigRoundTrips) {
  Functional model = residual_mlp();
  const json config = model.config();
  EXPECT_EQ(config.at("inputs"), json({"input_layer"}));
  EXPECT_EQ(config.at("outputs"), json({"dense_2"}));
  EXPECT_EQ(config.at("layers")[3],
            json({{"type", "Add"}, {"name", "add"}, {"inbound", {"dense", "dense_1"}}}));
  Functional rebuilt = Functional::from_config(config, 1);
  EXPECT_EQ(rebuilt.config(), config);
  rebuilt.set_weights(model.weights());
  const Variable x(ramp({2, 3}, 0.5f));
  const Tensor a = model.forward(x).value(), b = rebuilt.forward(x).value();
  for (std::int64_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(a[i], b[i]);
  // A file may list its layers in any order; the network puts them in a topological one.
  json shuffled = config;
  std::swap(shuffled["layers"][1], shuffled["layers"][4]);
  EXPECT_EQ(Functional::from_config(shuffled).config(), config);
  EXPECT_EQ(network_from_config(config)->config(), config);
}

TEST(Functional, SeveralInputsAndOutputs) {
  const SymbolicTensor a = Input({3}, "a"), b = Input({5}, "b"), m = Input({2, 3}, "m");
  const SymbolicTensor joined = Concatenate()({a, b});  // (8,)
  const SymbolicTensor gate = Dense(8, {.activation = "sigmoid"})(joined);
  const SymbolicTensor rows = Concatenate(1)({m, m});  // (4, 3)
  Functional model({a, b, m}, {Multiply()({joined, gate}), rows});
  EXPECT_EQ(model.input_shapes(), (std::vector<Shape>{{3}, {5}, {2, 3}}));
  EXPECT_EQ(model.output_shapes(), (std::vector<Shape>{{8}, {4, 3}}));
  const Variable va(ramp({1, 3}, 1.0f)), vb(ramp({1, 5}, 0.5f)), vm(ramp({1, 2, 3}, 0.25f));
  const std::vector<Variable> out = model.forward_all({va, vb, vm});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].shape(), (Shape{1, 8}));
  EXPECT_EQ(out[1].shape(), (Shape{1, 4, 3}));
  for (std::int64_t i = 0; i < 6; ++i)  // m, then m again
    EXPECT_EQ(out[1].value()[i], out[1].value()[6 + i]);
  EXPECT_EQ(out[1].value()[5], vm.value()[5]);
  const std::string summary = model.summary();
  EXPECT_NE(summary.find(" multiply (Multiply)         (None, 8)                 0         "
                         "concatenate"),
            std::string::npos)
      << summary;
  expect_invalid([&] { (void)model.input_shape(); },
                 "input_shape: the model has 3 inputs and 2 outputs; it takes a model with one "
                 "input and one output");
  EXPECT_EQ(Functional::from_config(model.config()).config(), model.config());
}

TEST(Functional, SummaryShowsConnectionsAndCounts) {
  // Columns of 28, 26, 10 and 30 characters after a space, as Keras's table.
  const auto row = [](const char* layer, const char* shape, const char* params,
                      const char* connected) {
    return fmt::format(" {:<28}{:<26}{:<10}{:<30}\n", layer, shape, params, connected);
  };
  const std::string rule(95, '_'), thick(95, '='), blank(95, ' ');
  const std::string expected =
      "Model: \"functional\"\n" + rule + "\n" +
      row("Layer (type)", "Output Shape", "Param #", "Connected to") + thick + "\n" +
      row("input_layer (InputLayer)", "(None, 3)", "0", "") + blank + "\n" +
      row("dense (Dense)", "(None, 4)", "16", "input_layer") + blank + "\n" +
      row("dense_1 (Dense)", "(None, 4)", "20", "dense") + blank + "\n" +
      row("add (Add)", "(None, 4)", "0", "dense") + row("", "", "", "dense_1") + blank + "\n" +
      row("dense_2 (Dense)", "(None, 2)", "10", "add") + thick + "\n" +
      "Total params: 46\nTrainable params: 46\nNon-trainable params: 0\n" + rule + "\n";
  EXPECT_EQ(residual_mlp().summary(), expected);
}

json graph_config(json layers, json inputs = {"x"}, json outputs = {"out"}) {
  return {{"inputs", inputs}, {"outputs", outputs}, {"layers", layers}};
}

json layer(const char* type, const char* name, json inbound, json extra = json::object()) {
  extra["type"] = type;
  extra["name"] = name;
  if (!inbound.is_null()) extra["inbound"] = inbound;
  return extra;
}

const json kInput = {{"type", "InputLayer"}, {"name", "x"}, {"shape", {4}}};

TEST(Functional, RejectsBadGraphsNamingTheLayer) {
  const auto rejects = [](const json& config, const std::string& message) {
    expect_invalid([&] { Functional::from_config(config); }, message);
  };
  rejects(graph_config({kInput, layer("Dense", "a", {"x", "b"}, {{"units", 4}}),
                        layer("Dense", "b", {"a"}, {{"units", 4}}),
                        layer("Dense", "out", {"b"}, {{"units", 2}})}),
          "model: layer \"b\" is in a cycle");
  rejects(graph_config({kInput,
                        {{"type", "InputLayer"}, {"name", "y"}, {"shape", {4}}},
                        layer("Dense", "out", {"x"}, {{"units", 2}})},
                       {"x", "y"}),
          "model: input \"y\" is not used by any output");
  rejects(graph_config({kInput,
                        {{"type", "InputLayer"}, {"name", "y"}, {"shape", {4}}},
                        layer("Dense", "out", {"y"}, {{"units", 2}})}),
          "model: output \"out\" depends on \"y\", which is not one of the model's inputs");
  rejects(graph_config({kInput, layer("Dense", "spare", {"x"}, {{"units", 3}}),
                        layer("Dense", "out", {"x"}, {{"units", 2}})}),
          "model: layer \"spare\" is not connected to any output");
  rejects(graph_config({kInput, layer("Dense", "a", {"x"}, {{"units", 3}}),
                        layer("Add", "out", {"x", "a"})}),
          "model: layer \"out\" (Add): needs inputs of one shape, got (4,) and (3,)");
  rejects(graph_config({kInput, layer("Dense", "a", {"x"}, {{"units", 3}}),
                        layer("Multiply", "out", {"x", "a"})}),
          "model: layer \"out\" (Multiply): needs inputs of one shape, got (4,) and (3,)");
  rejects(graph_config({{{"type", "InputLayer"}, {"name", "x"}, {"shape", {2, 4}}},
                        {{"type", "InputLayer"}, {"name", "y"}, {"shape", {3, 5}}},
                        layer("Concatenate", "out", {"x", "y"})},
                       {"x", "y"}),
          "model: layer \"out\" (Concatenate): needs inputs of one shape except on axis -1, got "
          "(2, 4) and (3, 5)");
  rejects(graph_config({kInput, layer("Densest", "out", {"x"})}),
          "model: layer \"out\": unknown layer type \"Densest\" (known: Dense, Conv2D, MaxPool2D, "
          "AveragePooling2D, GlobalAveragePooling2D, Flatten, Dropout, RandomFlip, Activation, "
          "LayerNormalization, BatchNormalization, Embedding, MultiHeadAttention, "
          "PositionalEmbedding, InputLayer, Add, Multiply, Concatenate)");
  rejects(graph_config({kInput, layer("Dense", "out", {"x"}, {{"units", 3}}),
                        layer("Dense", "out", {"x"}, {{"units", 2}})}),
          "model: duplicate layer name \"out\"");
  rejects(graph_config({kInput, layer("Dense", "out", {"h"}, {{"units", 2}})}),
          "model: layer \"out\" has inbound \"h\", which is not a layer");
  rejects(graph_config({kInput, layer("Dense", "out", {"x"}, {{"units", 2}})}, {"x"}, {"y"}),
          "model: \"outputs\" names \"y\", which is not a layer");
}

TEST(Functional, ALongChainFromAFileIsSortedWithoutRecursion) {
  json layers = json::array({kInput});
  std::string previous = "x";
  for (int i = 0; i < 100000; ++i) {
    const std::string name = fmt::format("a{}", i);
    layers.push_back(layer("Activation", name.c_str(), {previous}));
    previous = name;
  }
  const LayerGraph graph = LayerGraph::from_config(graph_config(layers, {"x"}, {previous}));
  EXPECT_EQ(graph.layers.size(), 100001u);
  EXPECT_EQ(graph.plan().back().output, (Shape{4}));
}

TEST(Functional, RejectsBadSymbolicGraphs) {
  const SymbolicTensor x = Input({4}), y = Input({4});
  expect_invalid([&] { Functional({x}, {Dense(2)(y)}); },
                 "model: output \"dense\" depends on \"input_layer_1\", which is not one of the "
                 "model's inputs");
  expect_invalid(
      [&] {
        Functional({x, y}, {Dense(2)(x)});
      },
      "model: input \"input_layer_1\" is not used by any output");
  Dense named(3);
  named.set_name("twice");
  expect_invalid(
      [&] {
        Functional({x}, {Add()({named(x), named(x)})});
      },
      "model: duplicate layer name \"twice\"");
  expect_invalid(
      [&] {
        Functional({x}, {Dense(2)({x, x})});
      },
      "model: layer \"dense\" (Dense): takes one input, got 2");
}

TEST(Functional, MergesNeedAGraph) {
  Sequential model;
  model.add(Dense(4, {.input_shape = {3}}));
  expect_invalid([&] { model.add(Add()); },
                 "layer \"add\" (Add) merges two or more inputs: use it in a functional model");
}

}  // namespace
}  // namespace descent
