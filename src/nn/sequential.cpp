#include "nn/sequential.h"

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"
#include "core/ops/elementwise.h"
#include "nn/layer_config.h"

namespace descent {
namespace {

// "MaxPool2D" -> "max_pool2d", as Keras derives default layer names.
std::string snake_case(const std::string& type) {
  std::string out;
  for (std::size_t i = 0; i < type.size(); ++i) {
    const char c = type[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
        std::islower(static_cast<unsigned char>(type[i - 1])))
      out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

Sequential::Sequential(std::uint64_t seed) : rng_(seed) {}

Layer& Sequential::add(std::unique_ptr<Layer> layer) {
  const std::string base = snake_case(layer->type());
  int same = 0;
  for (const auto& existing : layers_)
    if (existing->type() == layer->type()) ++same;
  layer->set_name(same == 0 ? base : fmt::format("{}_{}", base, same));
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

std::vector<Parameter> Sequential::parameters() const {
  std::vector<Parameter> out;
  for (const auto& layer : layers_)
    for (Parameter& p : layer->parameters())
      out.push_back(std::move(p));
  return out;
}

std::vector<Buffer> Sequential::buffers() const {
  std::vector<Buffer> out;
  for (const auto& layer : layers_)
    for (Buffer& b : layer->buffers())
      out.push_back(std::move(b));
  return out;
}

std::vector<Variable> Sequential::trainable_variables() const {
  std::vector<Variable> out;
  for (const Parameter& p : parameters())
    out.push_back(p.variable);
  return out;
}

std::int64_t Sequential::count_params() const {
  return count_trainable_params() + count_non_trainable_params();
}

std::int64_t Sequential::count_trainable_params() const {
  std::int64_t total = 0;
  for (const Parameter& p : parameters())
    total += p.variable.value().size();
  return total;
}

std::int64_t Sequential::count_non_trainable_params() const {
  std::int64_t total = 0;
  for (const Buffer& b : buffers())
    total += b.variable.value().size();
  return total;
}

std::vector<Variable> Sequential::penalties() const {
  std::vector<Variable> terms;
  for (const auto& layer : layers_)
    for (Variable& term : layer->penalties())
      terms.push_back(std::move(term));
  return terms;
}

Variable Sequential::penalty() const {
  Variable total;
  for (const Variable& term : penalties())
    total = total.defined() ? descent::add(total, term) : term;
  return total;
}

std::string Sequential::summary() const {
  const std::string rule(65, '_'), double_rule(65, '=');
  std::string out = "Model: \"sequential\"\n" + rule + "\n";
  out += fmt::format(" {:<28}{:<26}{:<10}\n", "Layer (type)", "Output Shape", "Param #");
  out += double_rule + "\n";
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    std::int64_t count = 0;
    for (const Parameter& p : layers_[i]->parameters())
      count += p.variable.value().size();
    for (const Buffer& b : layers_[i]->buffers())
      count += b.variable.value().size();
    std::string shape = "?";
    if (i < output_shapes_.size()) {
      shape = "(None";
      for (std::int64_t d : output_shapes_[i])
        shape += fmt::format(", {}", d);
      shape += ")";
    }
    out +=
        fmt::format(" {:<28}{:<26}{:<10}\n",
                    fmt::format("{} ({})", layers_[i]->name(), layers_[i]->type()), shape, count);
    out += (i + 1 < layers_.size() ? std::string(65, ' ') : double_rule) + "\n";
  }
  if (layers_.empty()) out += double_rule + "\n";
  const std::int64_t trainable = count_trainable_params(),
                     non_trainable = count_non_trainable_params();
  out += fmt::format("Total params: {}\nTrainable params: {}\nNon-trainable params: {}\n{}\n",
                     trainable + non_trainable, trainable, non_trainable, rule);
  return out;
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

std::vector<Rng*> Sequential::random_streams() {
  std::vector<Rng*> streams{&rng_};
  for (const auto& layer : layers_)
    if (Rng* stream = layer->random_stream()) streams.push_back(stream);
  return streams;
}

// Every tensor that weights() saves, by name: the parameters, then the buffers.
std::vector<std::pair<std::string, Variable>> Sequential::named_weights() const {
  std::vector<std::pair<std::string, Variable>> out;
  for (Parameter& p : parameters())
    out.emplace_back(std::move(p.name), std::move(p.variable));
  for (Buffer& b : buffers())
    out.emplace_back(std::move(b.name), std::move(b.variable));
  return out;
}

StateDict Sequential::weights() const {
  StateDict state;
  for (const auto& [name, variable] : named_weights())
    state.tensors.emplace(name, variable.value());
  return state;
}

void Sequential::check_weights(const StateDict& weights) const {
  const auto named = named_weights();
  if (weights.tensors.size() != named.size())
    throw InvalidArgument(fmt::format("weights hold {} tensors, the model has {}",
                                      weights.tensors.size(), named.size()));
  for (const auto& [name, variable] : named) {
    const auto it = weights.tensors.find(name);
    if (it == weights.tensors.end())
      throw InvalidArgument(fmt::format("weights have no tensor \"{}\"", name));
    if (it->second.shape() != variable.value().shape())
      throw InvalidArgument(fmt::format("weights \"{}\" have shape {}, the model expects {}", name,
                                        shape_string(it->second.shape()),
                                        shape_string(variable.shape())));
  }
}

void Sequential::set_weights(const StateDict& weights) {
  check_weights(weights);
  for (auto& [name, variable] : named_weights())
    variable.value() = weights.tensors.at(name);
}

}  // namespace descent
