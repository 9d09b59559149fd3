#include "nn/sequential.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"
#include "nn/layer_config.h"

namespace descent {

Sequential::Sequential(std::uint64_t seed) : Network(seed) {}

Layer& Sequential::add(std::unique_ptr<Layer> layer) {
  int same = 0;
  for (const auto& existing : layers_)
    if (existing->type() == layer->type()) ++same;
  layer->set_name(default_layer_name(layer->type(), same));
  if (layers_.empty() && !built() && layer->input_shape()) {
    input_shape_ = *layer->input_shape();
  } else if (layer->input_shape() && built() && *layer->input_shape() != output_shape()) {
    throw InvalidArgument(fmt::format("{} declares input shape {} but follows output shape {}",
                                      layer->name(), shape_string(*layer->input_shape()),
                                      shape_string(output_shape())));
  }
  layers_.push_back(std::move(layer));
  if (built()) build_layer(*layers_.back());
  return *layers_.back();
}

void Sequential::build(const Shape& input_shape) {
  if (built() && !output_shapes_.empty()) {
    if (input_shape != *input_shape_)
      throw InvalidArgument(fmt::format("model built for inputs of shape {}, got {}",
                                        shape_string(*input_shape_), shape_string(input_shape)));
    return;
  }
  input_shape_ = input_shape;
  output_shapes_.clear();
  for (auto& layer : layers_)
    build_layer(*layer);
}

void Sequential::build_layer(Layer& layer) {
  const Shape& in = output_shapes_.empty() ? *input_shape_ : output_shapes_.back();
  output_shapes_.push_back(layer.build(in, rng_));
}

const Shape& Sequential::input_shape() const {
  if (!input_shape_)
    throw InvalidArgument("the model is not built: give the first layer an input_shape");
  return *input_shape_;
}

const Shape& Sequential::output_shape() const {
  if (output_shapes_.empty()) return input_shape();
  return output_shapes_.back();
}

Variable Sequential::forward(const Variable& x, bool training) {
  if (!built()) build(Shape(x.shape().begin() + 1, x.shape().end()));
  const Shape sample(x.shape().begin() + 1, x.shape().end());
  if (sample != *input_shape_)
    throw InvalidArgument(
        fmt::format("the model expects inputs of shape {}, got samples of shape {}",
                    shape_string(*input_shape_), shape_string(sample)));
  Variable y = x;
  for (auto& layer : layers_)
    y = layer->forward(y, training);
  return y;
}

std::string Sequential::summary() const {
  std::vector<SummaryRow> rows;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    rows.push_back(
        {layers_[i].get(), i < output_shapes_.size() ? &output_shapes_[i] : nullptr, {}});
  return summary_table("sequential", rows, false);
}

nlohmann::json Sequential::config() const {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& layer : layers_)
    layers.push_back(layer->config());
  nlohmann::json c = {{"layers", layers}};
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

Sequential Sequential::from_config(const nlohmann::json& config, std::uint64_t seed) {
  if (!config.is_object()) throw InvalidArgument("model: expected a JSON object with \"layers\"");
  for (const auto& [key, value] : config.items())
    if (key != "layers" && key != "input_shape")
      throw InvalidArgument(
          fmt::format("model: unknown key \"{}\" (known: layers, input_shape)", key));
  if (!config.contains("layers") || !config["layers"].is_array() || config["layers"].empty())
    throw InvalidArgument("model: \"layers\" must be a non-empty array");
  Sequential model(seed);
  if (config.contains("input_shape")) {
    const auto& shape = config["input_shape"];
    if (!shape.is_array() || shape.empty())
      throw InvalidArgument("model: \"input_shape\" must be an array of positive integers");
    Shape input;
    for (const auto& d : shape) {
      const auto size = json_integer_if<std::int64_t>(d);
      if (!size || *size <= 0)
        throw InvalidArgument("model: \"input_shape\" must be an array of positive integers");
      input.push_back(*size);
    }
    model.input_shape_ = input;
  }
  for (const auto& layer : config["layers"])
    model.add(layer_from_config(layer));
  return model;
}

}  // namespace descent
