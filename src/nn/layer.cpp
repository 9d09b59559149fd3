#include "nn/layer.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

// Functional names the layer in front of the message.
void check_one_input(std::size_t count) {
  if (count != 1) throw InvalidArgument(fmt::format("takes one input, got {}", count));
}

}  // namespace

LayerPlan Layer::plan_inbound(const std::vector<Shape>& inputs) const {
  check_one_input(inputs.size());
  return plan(inputs[0]);
}

Shape Layer::build_inbound(const std::vector<Shape>& inputs, Rng& rng) {
  check_one_input(inputs.size());
  return build(inputs[0], rng);
}

Variable Layer::forward_inbound(const std::vector<Variable>& inputs, bool training) {
  check_one_input(inputs.size());
  return forward(inputs[0], training);
}

}  // namespace descent
