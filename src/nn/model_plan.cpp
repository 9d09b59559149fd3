#include "nn/model_plan.h"

#include <fmt/format.h>

#include "core/error.h"
#include "nn/functional.h"
#include "nn/layer_config.h"

namespace descent {
namespace {

Shape positive_shape(const nlohmann::json& shape) {
  Shape out;
  if (shape.is_array() && !shape.empty())
    for (const auto& d : shape) {
      if (!d.is_number_integer() || d.get<std::int64_t>() <= 0) return {};
      out.push_back(d.get<std::int64_t>());
    }
  if (out.empty())
    throw InvalidArgument("model: \"input_shape\" must be an array of positive integers");
  return out;
}

double values(const Shape& shape) {
  double out = 1.0;
  for (std::int64_t d : shape)
    out *= double(d);
  return out;
}

// A graph's plan: its first input's shape, and the layers' weights and outputs summed.
ModelPlan plan_functional(const nlohmann::json& config) {
  const LayerGraph graph = LayerGraph::from_config(config);
  const std::vector<LayerPlan> layers = graph.plan();
  ModelPlan plan;
  plan.input = layers[graph.inputs[0]].output;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    plan.weights += layers[i].weights;
    if (!graph.inbound[i].empty())
      plan.activations += values(layers[i].output) + layers[i].intermediates;
  }
  return plan;
}

}  // namespace

ModelPlan plan_model(const nlohmann::json& config) {
  if (config.is_object() && config.contains("outputs")) return plan_functional(config);
  if (!config.is_object() || !config.contains("layers") || !config["layers"].is_array() ||
      config["layers"].empty())
    throw InvalidArgument("model: \"layers\" must be a non-empty array");
  const nlohmann::json& layers = config["layers"];
  ModelPlan plan;
  if (config.contains("input_shape"))
    plan.input = positive_shape(config["input_shape"]);
  else if (layers[0].is_object() && layers[0].contains("input_shape"))
    plan.input = positive_shape(layers[0]["input_shape"]);
  else
    throw InvalidArgument("model: no input shape (give \"input_shape\")");
  Shape shape = plan.input;
  for (const auto& layer_config : layers) {
    const LayerPlan layer = layer_from_config(layer_config)->plan(shape);
    plan.weights += layer.weights;
    plan.activations += values(layer.output) + layer.intermediates;
    shape = layer.output;
  }
  return plan;
}

}  // namespace descent
