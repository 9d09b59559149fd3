#include "nn/layer_config.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"
#include "core/options_reader.h"
#include "nn/activation_layer.h"
#include "nn/average_pooling2d.h"
#include "nn/batch_normalization.h"
#include "nn/conv2d.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/embedding.h"
#include "nn/flatten.h"
#include "nn/global_average_pooling2d.h"
#include "nn/input.h"
#include "nn/layer_normalization.h"
#include "nn/max_pool2d.h"
#include "nn/merge.h"
#include "nn/multi_head_attention.h"
#include "nn/positional_embedding.h"
#include "nn/random_flip.h"

namespace descent {
namespace {

using nlohmann::json;

// Reads the fields of one layer's JSON object, rejecting unknown keys and wrong types.
class Fields {
 public:
  Fields(const json& config, std::string type, std::set<std::string> known)
      : config_(config), type_(std::move(type)) {
    known.insert("type");
    for (const auto& [key, value] : config.items())
      if (!known.contains(key))
        throw InvalidArgument(fmt::format("model: layer {} has unknown key \"{}\"", type_, key));
  }

  bool has(const char* key) const { return config_.contains(key); }

  std::int64_t integer(const char* key, std::optional<std::int64_t> fallback = {}) const {
    if (!has(key)) return required(key, fallback);
    const auto v = json_integer_if<std::int64_t>(config_[key]);
    if (!v) throw wrong_type(key, "an integer");
    return *v;
  }

  double number(const char* key, double fallback) const {
    if (!has(key)) return fallback;
    const json& v = config_[key];
    if (!v.is_number()) throw wrong_type(key, "a number");
    return v.get<double>();
  }

  bool boolean(const char* key, bool fallback) const {
    if (!has(key)) return fallback;
    const json& v = config_[key];
    if (!v.is_boolean()) throw wrong_type(key, "true or false");
    return v.get<bool>();
  }

  std::string text(const char* key, std::string fallback) const {
    if (!has(key)) return fallback;
    const json& v = config_[key];
    if (!v.is_string()) throw wrong_type(key, "a string");
    return v.get<std::string>();
  }

  Shape shape(const char* key) const {
    if (!has(key)) return {};
    const json& v = config_[key];
    if (!v.is_array() || v.empty()) throw wrong_type(key, "an array of positive integers");
    Shape out;
    for (const json& d : v) {
      const auto size = json_integer_if<std::int64_t>(d);
      if (!size || *size <= 0) throw wrong_type(key, "an array of positive integers");
      out.push_back(*size);
    }
    return out;
  }

 private:
  std::int64_t required(const char* key, std::optional<std::int64_t> fallback) const {
    if (fallback) return *fallback;
    throw InvalidArgument(fmt::format("model: layer {} needs \"{}\"", type_, key));
  }

  InvalidArgument wrong_type(const char* key, const char* expected) const {
    return InvalidArgument(fmt::format("model: layer {} key \"{}\" must be {}, got {}", type_, key,
                                       expected, shown_in_message(config_[key])));
  }

  const json& config_;
  std::string type_;
};

int to_int(std::int64_t v) {
  return static_cast<int>(std::clamp<std::int64_t>(v, -1, 1 << 20));
}

}  // namespace

std::unique_ptr<Layer> layer_from_config(const json& config) {
  if (!config.is_object() || !config.contains("type") || !config["type"].is_string())
    throw InvalidArgument(
        fmt::format("model: each layer must be an object with a \"type\" string, got {}",
                    shown_in_message(config)));
  const std::string type = config["type"].get<std::string>();
  if (type == "Dense") {
    Fields f(config, type,
             {"units", "activation", "use_bias", "kernel_initializer", "bias_initializer",
              "kernel_regularizer", "bias_regularizer", "input_shape"});
    DenseOptions o;
    o.activation = f.text("activation", "linear");
    o.use_bias = f.boolean("use_bias", true);
    o.kernel_initializer = Initializer::parse(f.text("kernel_initializer", "glorot_uniform"));
    o.bias_initializer = Initializer::parse(f.text("bias_initializer", "zeros"));
    if (f.has("kernel_regularizer"))
      o.kernel_regularizer = Regularizer::parse(f.text("kernel_regularizer", ""));
    if (f.has("bias_regularizer"))
      o.bias_regularizer = Regularizer::parse(f.text("bias_regularizer", ""));
    o.input_shape = f.shape("input_shape");
    return std::make_unique<Dense>(f.integer("units"), o);
  }
  if (type == "Conv2D") {
    Fields f(config, type,
             {"filters", "kernel_size", "strides", "padding", "activation", "use_bias",
              "kernel_initializer", "bias_initializer", "kernel_regularizer", "input_shape"});
    Conv2DOptions o;
    o.stride = to_int(f.integer("strides", 1));
    o.padding = f.text("padding", "valid");
    o.activation = f.text("activation", "linear");
    o.use_bias = f.boolean("use_bias", true);
    o.kernel_initializer = Initializer::parse(f.text("kernel_initializer", "glorot_uniform"));
    o.bias_initializer = Initializer::parse(f.text("bias_initializer", "zeros"));
    if (f.has("kernel_regularizer"))
      o.kernel_regularizer = Regularizer::parse(f.text("kernel_regularizer", ""));
    o.input_shape = f.shape("input_shape");
    return std::make_unique<Conv2D>(f.integer("filters"), to_int(f.integer("kernel_size")), o);
  }
  if (type == "MaxPool2D" || type == "MaxPooling2D") {
    Fields f(config, type, {"pool_size", "strides"});
    return std::make_unique<MaxPool2D>(to_int(f.integer("pool_size", 2)),
                                       to_int(f.integer("strides", 0)));
  }
  if (type == "AveragePooling2D" || type == "AvgPool2D") {
    Fields f(config, type, {"pool_size", "strides", "padding"});
    // Keras's key, accepted with the one value descent pools with.
    if (const std::string padding = f.text("padding", "valid"); padding != "valid")
      throw InvalidArgument(
          fmt::format("model: layer {} padding must be \"valid\", got \"{}\"", type, padding));
    return std::make_unique<AveragePooling2D>(to_int(f.integer("pool_size", 2)),
                                              to_int(f.integer("strides", 0)));
  }
  if (type == "GlobalAveragePooling2D" || type == "GlobalAvgPool2D") {
    Fields f(config, type, {});
    return std::make_unique<GlobalAveragePooling2D>();
  }
  if (type == "Flatten") {
    Fields f(config, type, {"input_shape"});
    return std::make_unique<Flatten>(f.shape("input_shape"));
  }
  if (type == "Dropout") {
    Fields f(config, type, {"rate"});
    if (!f.has("rate")) throw InvalidArgument("model: layer Dropout needs \"rate\"");
    return std::make_unique<Dropout>(static_cast<float>(f.number("rate", 0.0)));
  }
  if (type == "RandomFlip") {
    Fields f(config, type, {"mode"});  // no "seed": it draws from the model's seeded stream
    return std::make_unique<RandomFlip>(f.text("mode", "horizontal_and_vertical"));
  }
  if (type == "Activation") {
    Fields f(config, type, {"activation"});
    return std::make_unique<ActivationLayer>(f.text("activation", "linear"));
  }
  if (type == "LayerNormalization") {
    Fields f(config, type, {"axis", "epsilon", "center", "scale", "input_shape"});
    // Only the last axis, Keras's default and what transformers use.
    if (f.integer("axis", -1) != -1)
      throw InvalidArgument("model: layer LayerNormalization supports only \"axis\": -1");
    LayerNormalizationOptions o;
    o.epsilon = f.number("epsilon", 1e-3);
    o.center = f.boolean("center", true);
    o.scale = f.boolean("scale", true);
    o.input_shape = f.shape("input_shape");
    return std::make_unique<LayerNormalization>(o);
  }
  if (type == "BatchNormalization") {
    Fields f(config, type, {"axis", "momentum", "epsilon", "center", "scale", "input_shape"});
    // Images are channels first: the channel axis is 1 for dense and image batches alike.
    if (f.integer("axis", 1) != 1)
      throw InvalidArgument(
          "model: layer BatchNormalization supports only \"axis\": 1 (the channel axis)");
    BatchNormalizationOptions o;
    o.momentum = f.number("momentum", o.momentum);
    o.epsilon = f.number("epsilon", o.epsilon);
    o.center = f.boolean("center", true);
    o.scale = f.boolean("scale", true);
    o.input_shape = f.shape("input_shape");
    return std::make_unique<BatchNormalization>(o);
  }
  if (type == "Embedding") {
    Fields f(config, type, {"input_dim", "output_dim", "embeddings_initializer", "input_shape"});
    EmbeddingOptions o;
    o.embeddings_initializer = Initializer::parse(f.text("embeddings_initializer", "uniform"));
    o.input_shape = f.shape("input_shape");
    return std::make_unique<Embedding>(f.integer("input_dim"), f.integer("output_dim"), o);
  }
  if (type == "MultiHeadAttention") {
    Fields f(config, type, {"num_heads", "use_bias", "dropout", "causal", "input_shape"});
    MultiHeadAttentionOptions o;
    o.use_bias = f.boolean("use_bias", true);
    o.dropout = static_cast<float>(f.number("dropout", 0.0));
    o.causal = f.boolean("causal", false);
    o.input_shape = f.shape("input_shape");
    return std::make_unique<MultiHeadAttention>(f.integer("num_heads"), o);
  }
  if (type == "PositionalEmbedding") {
    Fields f(config, type, {"max_length", "embeddings_initializer", "input_shape"});
    PositionalEmbeddingOptions o;
    o.embeddings_initializer = Initializer::parse(f.text("embeddings_initializer", "uniform"));
    o.input_shape = f.shape("input_shape");
    return std::make_unique<PositionalEmbedding>(f.integer("max_length"), o);
  }
  if (type == "InputLayer") {
    Fields f(config, type, {"shape"});
    if (!f.has("shape")) throw InvalidArgument("model: layer InputLayer needs \"shape\"");
    return std::make_unique<InputLayer>(f.shape("shape"));
  }
  if (type == "Add" || type == "Multiply") {
    Fields f(config, type, {});
    if (type == "Add") return std::make_unique<Add>();
    return std::make_unique<Multiply>();
  }
  if (type == "Concatenate") {
    Fields f(config, type, {"axis"});
    return std::make_unique<Concatenate>(to_int(f.integer("axis", -1)));
  }
  throw InvalidArgument(fmt::format(
      "model: unknown layer type \"{}\" (known: Dense, Conv2D, MaxPool2D, "
      "AveragePooling2D, GlobalAveragePooling2D, Flatten, Dropout, RandomFlip, Activation, "
      "LayerNormalization, BatchNormalization, Embedding, MultiHeadAttention, "
      "PositionalEmbedding, InputLayer, Add, Multiply, Concatenate)",
      type));
}

std::unique_ptr<Layer> unbuilt_copy(const Layer& layer) {
  auto copy = layer_from_config(layer.config());
  copy->set_name(layer.name());
  return copy;
}

}  // namespace descent
