// Sequential: a stack of layers, each feeding the next (Keras's Sequential). A layer is built as
// soon as its input shape is known: the first layer must declare one (input_shape), or build() is
// called with it. Layers are named as Keras names them: dense, dense_1, conv2d, ...
#pragma once

#include <concepts>
#include <memory>
#include <optional>
#include <utility>

#include "nn/network.h"

namespace descent {

class Sequential : public Network {
 public:
  explicit Sequential(std::uint64_t seed = 42);

  template <std::derived_from<Layer> L>
  L& add(L layer) {
    return static_cast<L&>(add(std::make_unique<L>(std::move(layer))));
  }
  Layer& add(std::unique_ptr<Layer> layer);

  void build(const Shape& input_shape) override;
  bool built() const override { return input_shape_.has_value(); }
  const Shape& input_shape() const override;
  const Shape& output_shape() const override;

  Variable forward(const Variable& x, bool training = false) override;

  // A Keras-like table: layer (type), output shape, parameter count (trainable or not), and the
  // totals: all, trainable and non-trainable.
  std::string summary() const override;

  // The architecture as JSON (docs/model-format.md) and back.
  nlohmann::json config() const override;
  static Sequential from_config(const nlohmann::json& config, std::uint64_t seed = 42);

 private:
  void build_layer(Layer& layer);

  std::optional<Shape> input_shape_;
  std::vector<Shape> output_shapes_;
};

}  // namespace descent
