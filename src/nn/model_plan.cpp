#include "nn/model_plan.h"

#include <fmt/format.h>

#include "core/error.h"
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

}  // namespace

ModelPlan plan_model(const nlohmann::json& config) {
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
    double values = 1.0;
    for (std::int64_t d : layer.output)
      values *= double(d);
    plan.activations += values;
    shape = layer.output;
  }
  return plan;
}

}  // namespace descent
