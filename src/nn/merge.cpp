#include "nn/merge.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {
namespace {

std::string shapes_text(const std::vector<Shape>& shapes) {
  std::string out;
  for (std::size_t i = 0; i < shapes.size(); ++i)
    out += (i == 0 ? "" : i + 1 == shapes.size() ? " and " : ", ") + shape_string(shapes[i]);
  return out;
}

}  // namespace

InvalidArgument Merge::single_input() const {
  return InvalidArgument(fmt::format(
      "layer \"{}\" ({}) merges two or more inputs: use it in a functional model", name(), type()));
}

Shape Merge::build(const Shape& /*input_shape*/, Rng& /*rng*/) {
  throw single_input();
}

Variable Merge::forward(const Variable& /*x*/, bool /*training*/) {
  throw single_input();
}

// Functional names the layer in front of the messages.
LayerPlan Merge::plan_inbound(const std::vector<Shape>& inputs) const {
  if (inputs.size() < 2)
    throw InvalidArgument(fmt::format("merges two or more inputs, got {}", inputs.size()));
  return {merged_shape(inputs), 0.0};
}

Shape Merge::build_inbound(const std::vector<Shape>& inputs, Rng& /*rng*/) {
  return plan_inbound(inputs).output;
}

// The shapes were checked when the network was built.
Variable Merge::forward_inbound(const std::vector<Variable>& inputs, bool /*training*/) {
  return merge(inputs);
}

Shape ElementwiseMerge::merged_shape(const std::vector<Shape>& inputs) const {
  for (const Shape& shape : inputs)
    if (shape != inputs[0])
      throw InvalidArgument(fmt::format("needs inputs of one shape, got {}", shapes_text(inputs)));
  return inputs[0];
}

Variable Add::merge(const std::vector<Variable>& inputs) const {
  Variable sum = add(inputs[0], inputs[1]);
  for (std::size_t i = 2; i < inputs.size(); ++i)
    sum = add(sum, inputs[i]);
  return sum;
}

nlohmann::json Add::config() const {
  return {{"type", type()}};
}

Variable Multiply::merge(const std::vector<Variable>& inputs) const {
  Variable product = mul(inputs[0], inputs[1]);
  for (std::size_t i = 2; i < inputs.size(); ++i)
    product = mul(product, inputs[i]);
  return product;
}

nlohmann::json Multiply::config() const {
  return {{"type", type()}};
}

Concatenate::Concatenate(int axis) : axis_(axis) {}

Shape Concatenate::merged_shape(const std::vector<Shape>& inputs) const {
  const auto rank = static_cast<int>(inputs[0].size());
  // Samples lack the batch axis: Keras's axis a > 0 is the sample's a - 1.
  const int axis = axis_ < 0 ? rank + axis_ : axis_ - 1;
  if (axis_ == 0 || axis < 0 || axis >= rank)
    throw InvalidArgument(
        fmt::format("cannot join inputs of shape {} on axis {}", shape_string(inputs[0]), axis_));
  Shape out = inputs[0];
  out[axis] = 0;
  for (const Shape& shape : inputs) {
    Shape other = shape;
    if (other.size() == out.size()) other[axis] = 0;
    if (other != out)
      throw InvalidArgument(fmt::format("needs inputs of one shape except on axis {}, got {}",
                                        axis_, shapes_text(inputs)));
  }
  for (const Shape& shape : inputs)
    out[axis] += shape[axis];
  return out;
}

Variable Concatenate::merge(const std::vector<Variable>& inputs) const {
  return concat(inputs, axis_);
}

nlohmann::json Concatenate::config() const {
  return {{"type", type()}, {"axis", axis_}};
}

}  // namespace descent
