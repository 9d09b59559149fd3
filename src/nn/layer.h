// Layer: the unit a network (Sequential or Functional) is made of. A layer is built once its input
// shape is known (creating and initialising its weights), then maps a batch to a batch on the
// autodiff graph.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/random.h"
#include "core/variable.h"

namespace descent {

class SymbolicTensor;

// A trainable tensor with the name it has in summaries and saved weights ("dense_1/kernel").
struct Parameter {
  std::string name;
  Variable variable;
};

// Non-trainable state that a layer updates itself while training (BatchNormalization's moving
// statistics), with the name it has in saved weights ("batch_normalization/moving_mean"). Saved and
// restored with the weights; never given to an optimizer nor penalized (Keras's non-trainable
// weights, PyTorch's buffers). A distinct type, so that it cannot reach an optimizer by mistake.
struct Buffer {
  std::string name;
  Variable variable;
};

// What build() makes for an input shape, worked out without creating anything.
struct LayerPlan {
  Shape output;        // without the batch axis
  double weights = 0;  // trainable values (a double: an absurd width must not overflow)
  // Values per sample the layer computes beside its output and keeps for backward (attention:
  // its queries, keys, values and heads × time² scores), for the memory estimate.
  double intermediates = 0;
};

class Layer {
 public:
  virtual ~Layer() = default;

  // Keras class name: "Dense", "Conv2D", ...
  virtual std::string type() const = 0;
  // Creates the weights for inputs of `input_shape` (without the batch axis), drawing them from
  // `rng`; returns the output shape (without the batch axis). Throws InvalidArgument on a shape the
  // layer cannot take.
  virtual Shape build(const Shape& input_shape, Rng& rng) = 0;
  // The output shape and weight count build() would give, without allocating the weights (for the
  // memory estimate made before a model is built); throws InvalidArgument where build() would.
  virtual LayerPlan plan(const Shape& input_shape) const { return {input_shape, 0.0}; }
  // Batch in, batch out. `training` switches dropout on and makes batch normalization use (and
  // update its running statistics from) the batch's statistics.
  virtual Variable forward(const Variable& x, bool training) = 0;
  // In a functional model a layer takes the outputs of its inbound layers: exactly one, unless it
  // merges several (nn/merge.h overrides these); the defaults pass the one on to plan, build and
  // forward, and refuse any other count, naming the layer.
  virtual LayerPlan plan_inbound(const std::vector<Shape>& inputs) const;
  virtual Shape build_inbound(const std::vector<Shape>& inputs, Rng& rng);
  virtual Variable forward_inbound(const std::vector<Variable>& inputs, bool training);
  virtual std::vector<Parameter> parameters() { return {}; }
  virtual std::vector<Buffer> buffers() { return {}; }
  // The weight penalties as terms of the graph, one per penalised weight (none: empty).
  virtual std::vector<Variable> penalties() const { return {}; }
  // Architecture, enough to rebuild the layer (the model JSON format of docs/model-format.md).
  virtual nlohmann::json config() const = 0;
  // The layer's own random stream, if it draws numbers while training (dropout); checkpoints save
  // it so that a resumed run draws the same numbers.
  virtual Rng* random_stream() { return nullptr; }

  // The functional API (nn/input.h): this layer applied to symbolic tensors, one or (for a merge)
  // several. Each call adds a new, unbuilt layer with this one's settings and name (if set) to the
  // graph: layers are not shared between calls.
  SymbolicTensor operator()(const SymbolicTensor& input) const;
  SymbolicTensor operator()(const std::vector<SymbolicTensor>& inputs) const;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  // Shape the layer declares for its input (Keras input_shape), if any.
  const std::optional<Shape>& input_shape() const { return input_shape_; }

 protected:
  std::optional<Shape> input_shape_;

 private:
  std::string name_;
};

}  // namespace descent
