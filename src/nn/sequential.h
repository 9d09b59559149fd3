// Sequential: a stack of layers, each feeding the next (Keras's Sequential). A layer is built as
// soon as its input shape is known: the first layer must declare one (input_shape), or build() is
// called with it. Layers are named as Keras names them: dense, dense_1, conv2d, ...
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/state_dict.h"
#include "nn/layer.h"

namespace descent {

class Sequential {
 public:
  // `seed` drives weight initialisation and dropout: the same seed gives the same model.
  explicit Sequential(std::uint64_t seed = 42);
  virtual ~Sequential() = default;
  Sequential(Sequential&&) = default;
  Sequential& operator=(Sequential&&) = default;

  template <std::derived_from<Layer> L>
  L& add(L layer) {
    return static_cast<L&>(add(std::make_unique<L>(std::move(layer))));
  }
  Layer& add(std::unique_ptr<Layer> layer);

  // Builds every layer for inputs of `input_shape` (without the batch axis).
  void build(const Shape& input_shape);
  bool built() const { return input_shape_.has_value(); }
  const Shape& input_shape() const;
  const Shape& output_shape() const;

  Variable forward(const Variable& x, bool training = false);
  std::vector<Parameter> parameters() const;
  // Every layer's non-trainable state (Layer::buffers), in layer order.
  std::vector<Buffer> buffers() const;
  std::vector<Variable> trainable_variables() const;
  // Values in the weights, trainable and not (Keras's count_params), and each kind apart.
  std::int64_t count_params() const;
  std::int64_t count_trainable_params() const;
  std::int64_t count_non_trainable_params() const;
  // Every layer's weight penalties as terms of the graph (Layer::penalties).
  std::vector<Variable> penalties() const;
  // Their sum, the term the training loss adds; undefined when no layer has a penalty.
  Variable penalty() const;

  // A Keras-like table: layer (type), output shape, parameter count (trainable or not), and the
  // totals: all, trainable and non-trainable.
  std::string summary() const;

  // The architecture as JSON (docs/model-format.md) and back.
  nlohmann::json config() const;
  static Sequential from_config(const nlohmann::json& config, std::uint64_t seed = 42);

  // Weights by name, the trainable ones and the buffers (Keras's get_weights holds both); loading
  // checks names and shapes.
  StateDict weights() const;
  void set_weights(const StateDict& weights);
  // Throws InvalidArgument unless `weights` has exactly the model's tensor names and shapes.
  void check_weights(const StateDict& weights) const;

  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  Rng& rng() { return rng_; }
  // Every random stream training draws from: the model's, then each layer's own, in layer order.
  std::vector<Rng*> random_streams();

 private:
  void build_layer(Layer& layer);
  std::vector<std::pair<std::string, Variable>> named_weights() const;

  std::vector<std::unique_ptr<Layer>> layers_;
  std::optional<Shape> input_shape_;
  std::vector<Shape> output_shapes_;
  Rng rng_;
};

}  // namespace descent
