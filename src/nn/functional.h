// Functional: a network whose layers form a directed acyclic graph (Keras's functional API), with
// one or more inputs and outputs. It is described by symbolic tensors (nn/input.h) or by a model
// JSON graph (docs/model-format.md), checked (names, connections, no cycle), put in a topological
// order and built at once, every layer's output shape inferred from its inbound layers'. A chain
// of layers is the same network as the Sequential stack of them: same names, same weights for a
// seed, same outputs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/input.h"
#include "nn/network.h"

namespace descent {

// A graph checked and sorted, its layers unbuilt: what Functional builds and what the memory
// estimate plans (nn/model_plan.h) without building.
struct LayerGraph {
  // Layers in a topological order (each after its inbound layers), with their names set.
  std::vector<std::unique_ptr<Layer>> layers;
  // For each layer, the positions in `layers` of its inbound layers (none for an input).
  std::vector<std::vector<std::size_t>> inbound;
  // Positions of the graph's inputs (InputLayers) and outputs, in the model's order.
  std::vector<std::size_t> inputs, outputs;

  // The graph of a functional model JSON; throws InvalidArgument with one line naming the layer
  // for an unknown type or key, a duplicate name, an inbound name that is not a layer, a cycle,
  // an input that no output uses or an output that depends on something other than the inputs.
  static LayerGraph from_config(const nlohmann::json& config);
  // The graph from `inputs` to `outputs` described by symbolic tensors, checked as from_config
  // checks. Layers without a name are named as Sequential names them (dense, dense_1, ...), the
  // inputs first, in order.
  static LayerGraph from_tensors(const std::vector<SymbolicTensor>& inputs,
                                 const std::vector<SymbolicTensor>& outputs);
  // The layers named, with the names of their inbound layers; checked as from_config checks.
  static LayerGraph connect(std::vector<std::unique_ptr<Layer>> layers,
                            const std::vector<std::vector<std::string>>& inbound,
                            const std::vector<std::string>& inputs,
                            const std::vector<std::string>& outputs);

  // What each layer would be built into, in order, without building anything.
  std::vector<LayerPlan> plan() const;
};

class Functional : public Network {
 public:
  // The network from `inputs` to `outputs` (LayerGraph::from_tensors).
  Functional(const std::vector<SymbolicTensor>& inputs, const std::vector<SymbolicTensor>& outputs,
             std::uint64_t seed = 42);
  explicit Functional(LayerGraph graph, std::uint64_t seed = 42);

  // Built at construction: checks that `input_shape` is the one input's shape.
  void build(const Shape& input_shape) override;
  bool built() const override { return true; }
  // The one input's and output's shapes; InvalidArgument for a model with several.
  const Shape& input_shape() const override;
  const Shape& output_shape() const override;
  std::size_t input_count() const override { return inputs_.size(); }
  std::size_t output_count() const override { return outputs_.size(); }
  std::vector<Shape> input_shapes() const;
  std::vector<Shape> output_shapes() const;

  Variable forward(const Variable& x, bool training = false) override;
  std::vector<Variable> forward_all(const std::vector<Variable>& inputs,
                                    bool training = false) override;

  // The Sequential table with a "Connected to" column: each layer's inbound layers.
  std::string summary() const override;

  // The graph as JSON (docs/model-format.md): "inputs", "outputs" and "layers", each layer with
  // its "name" and, unless an input, its "inbound" layers' names.
  nlohmann::json config() const override;
  static Functional from_config(const nlohmann::json& config, std::uint64_t seed = 42);

 private:
  std::vector<std::vector<std::size_t>> inbound_;
  std::vector<std::size_t> inputs_, outputs_;
  std::vector<Shape> output_shapes_;  // each layer's
};

}  // namespace descent
