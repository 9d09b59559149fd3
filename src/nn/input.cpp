#include "nn/input.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/layer_config.h"

namespace descent {
SymbolicTensor Layer::operator()(const SymbolicTensor& input) const {
  return (*this)(std::vector<SymbolicTensor>{input});
}

SymbolicTensor Layer::operator()(const std::vector<SymbolicTensor>& inputs) const {
  return SymbolicTensor(std::make_shared<const SymbolicTensor::Node>(
      SymbolicTensor::Node{unbuilt_copy(*this), inputs}));
}

SymbolicTensor Input(Shape shape, std::string name) {
  auto layer = std::make_unique<InputLayer>(std::move(shape));
  layer->set_name(std::move(name));
  return SymbolicTensor(
      std::make_shared<const SymbolicTensor::Node>(SymbolicTensor::Node{std::move(layer), {}}));
}

InputLayer::InputLayer(Shape shape) {
  for (std::int64_t d : shape)
    if (d <= 0)
      throw InvalidArgument(
          fmt::format("Input: shape must hold positive sizes, got {}", shape_string(shape)));
  if (shape.empty()) throw InvalidArgument("Input: shape must not be empty");
  input_shape_ = std::move(shape);
}

LayerPlan InputLayer::plan(const Shape& input_shape) const {
  if (input_shape != shape())
    throw InvalidArgument(fmt::format("layer \"{}\" (InputLayer) takes inputs of shape {}, got {}",
                                      name(), shape_string(shape()), shape_string(input_shape)));
  return {shape(), 0.0};
}

Shape InputLayer::build(const Shape& input_shape, Rng& /*rng*/) {
  return plan(input_shape).output;
}

LayerPlan InputLayer::plan_inbound(const std::vector<Shape>& inputs) const {
  if (!inputs.empty())
    throw InvalidArgument(fmt::format("takes no inbound layers, got {}", inputs.size()));
  return {shape(), 0.0};
}

Shape InputLayer::build_inbound(const std::vector<Shape>& inputs, Rng& /*rng*/) {
  return plan_inbound(inputs).output;
}

Variable InputLayer::forward(const Variable& x, bool /*training*/) {
  return x;
}

nlohmann::json InputLayer::config() const {
  return {{"type", type()}, {"shape", shape()}};
}

}  // namespace descent
