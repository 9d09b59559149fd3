// The functional API's start (Keras's keras.Input): a symbolic tensor stands for a layer's output
// in a graph being described, holding no values. Layers are called on symbolic tensors to extend
// the graph, and a Functional network (nn/functional.h) or a Model is built from its inputs and
// outputs:
//
//   SymbolicTensor x = Input({8});
//   SymbolicTensor h = Dense(16, {.activation = "relu"})(x);
//   SymbolicTensor y = Dense(3)(Add()({h, Dense(16)(h)}));
//   Model model(x, y);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nn/layer.h"

namespace descent {

class SymbolicTensor {
 public:
  // The layer (unbuilt, a description) and the tensors it is applied to.
  struct Node {
    std::unique_ptr<Layer> layer;
    std::vector<SymbolicTensor> inbound;
  };

  explicit SymbolicTensor(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  const Node& node() const { return *node_; }

 private:
  std::shared_ptr<const Node> node_;
};

// A graph input: samples of `shape` (without the batch axis). `name` empty: input_layer, ...
SymbolicTensor Input(Shape shape, std::string name = "");

// The layer behind Input: passes its input on. Its output shape is the declared one.
class InputLayer : public Layer {
 public:
  explicit InputLayer(Shape shape);

  std::string type() const override { return "InputLayer"; }
  Shape build(const Shape& input_shape, Rng& rng) override;
  LayerPlan plan(const Shape& input_shape) const override;
  // In a graph an input has no inbound layer.
  LayerPlan plan_inbound(const std::vector<Shape>& inputs) const override;
  Shape build_inbound(const std::vector<Shape>& inputs, Rng& rng) override;
  Variable forward(const Variable& x, bool training) override;
  nlohmann::json config() const override;

  const Shape& shape() const { return *input_shape_; }
};

}  // namespace descent
