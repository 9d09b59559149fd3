#include "cli/gpt_model.h"

#include <charconv>
#include <cmath>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "core/error.h"

namespace descent::cli {
namespace {

using nlohmann::json;

// Past these a value is a typo; the memory check refuses what does not fit well before. Layers
// are capped lower: the graph is written out (nine layers a block) before memory is checked.
constexpr std::int64_t kMaxGptValue = std::int64_t{1} << 20;
constexpr std::int64_t kMaxGptLayers = 1000;
constexpr const char* kWeightInitializer = "normal:0.02";  // GPT-2's N(0, 0.02²)
constexpr double kLayerNormEpsilon = 1e-5;                 // PyTorch's LayerNorm, nanoGPT's

std::int64_t positive_integer(const std::string& spec, std::string_view key, std::string_view text,
                              std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value <= 0 ||
      value > max)
    throw InvalidArgument(fmt::format("model '{}': {} must be an integer in [1, {}], got '{}'",
                                      spec, key, max, text));
  return value;
}

double dropout_rate(const std::string& spec, std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  const double rate = std::strtod(copy.c_str(), &end);
  if (copy.empty() || *end != '\0' || !(rate >= 0.0 && rate < 1.0))
    throw InvalidArgument(
        fmt::format("model '{}': dropout must be a number in [0, 1), got '{}'", spec, text));
  return rate;
}

// The graph is written as a list of named layers; each call adds one and returns its name.
class GraphWriter {
 public:
  std::string add(const std::string& name, json layer, const std::vector<std::string>& inbound) {
    layer["name"] = name;
    if (!inbound.empty()) layer["inbound"] = inbound;
    layers_.push_back(std::move(layer));
    return name;
  }
  json& layers() { return layers_; }

 private:
  json layers_ = json::array();
};

json dense(std::int64_t units, const char* activation, bool use_bias) {
  json layer = {{"type", "Dense"},
                {"units", units},
                {"activation", activation},
                {"use_bias", use_bias},
                {"kernel_initializer", kWeightInitializer}};
  if (use_bias) layer["bias_initializer"] = "zeros";
  return layer;
}

json layer_norm() {
  return {{"type", "LayerNormalization"}, {"epsilon", kLayerNormEpsilon}};
}

}  // namespace

bool is_gpt_model(const std::string& spec) {
  return spec == "gpt" || spec.starts_with("gpt:");
}

GptSpec parse_gpt_spec(const std::string& spec) {
  GptSpec out;
  if (spec == "gpt") return out;
  const std::string_view list = std::string_view(spec).substr(4);
  std::set<std::string, std::less<>> seen;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string_view item = list.substr(start, comma - start);
    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos)
      throw InvalidArgument(
          fmt::format("model '{}': '{}' is not KEY=VALUE (keys: layers, heads, dim, context, "
                      "dropout)",
                      spec, item));
    const std::string key(item.substr(0, equals));
    const std::string_view value = item.substr(equals + 1);
    if (!seen.insert(key).second)
      throw InvalidArgument(fmt::format("model '{}': {} is given twice", spec, key));
    if (key == "layers")
      out.layers = positive_integer(spec, key, value, kMaxGptLayers);
    else if (key == "heads")
      out.heads = positive_integer(spec, key, value, kMaxGptValue);
    else if (key == "dim")
      out.dim = positive_integer(spec, key, value, kMaxGptValue);
    else if (key == "context")
      out.context = positive_integer(spec, key, value, kMaxGptValue);
    else if (key == "dropout")
      out.dropout = dropout_rate(spec, value);
    else
      throw InvalidArgument(fmt::format(
          "model '{}': unknown key '{}' (keys: layers, heads, dim, context, dropout)", spec, key));
    start = comma + 1;
  }
  if (out.dim % out.heads != 0)
    throw InvalidArgument(
        fmt::format("model '{}': heads ({}) must divide dim ({})", spec, out.heads, out.dim));
  return out;
}

json gpt_model_config(const std::string& spec, const Shape& sample_shape, std::int64_t vocabulary) {
  const GptSpec g = parse_gpt_spec(spec);
  if (sample_shape != Shape{g.context})
    throw InvalidArgument(fmt::format(
        "model '{}' reads windows of {} tokens, but the data's samples have shape {} (train it "
        "on --data text:FILE)",
        spec, g.context, shape_string(sample_shape)));
  GraphWriter graph;
  const auto dropout = [&](const std::string& name, const std::string& input) {
    return g.dropout > 0.0 ? graph.add(name, {{"type", "Dropout"}, {"rate", g.dropout}}, {input})
                           : input;
  };
  graph.add("tokens", {{"type", "InputLayer"}, {"shape", sample_shape}}, {});
  std::string x = graph.add("token_embedding",
                            {{"type", "Embedding"},
                             {"input_dim", vocabulary},
                             {"output_dim", g.dim},
                             {"embeddings_initializer", kWeightInitializer}},
                            {"tokens"});
  x = graph.add("position_embedding",
                {{"type", "PositionalEmbedding"},
                 {"max_length", g.context},
                 {"embeddings_initializer", kWeightInitializer}},
                {x});
  x = dropout("embedding_dropout", x);
  for (std::int64_t b = 0; b < g.layers; ++b) {
    const std::string block = fmt::format("block{}_", b);
    std::string h = graph.add(block + "attention_norm", layer_norm(), {x});
    h = graph.add(block + "attention",
                  {{"type", "MultiHeadAttention"},
                   {"num_heads", g.heads},
                   {"causal", true},
                   {"dropout", g.dropout}},
                  {h});
    h = dropout(block + "attention_dropout", h);
    x = graph.add(block + "attention_residual", {{"type", "Add"}}, {x, h});
    h = graph.add(block + "mlp_norm", layer_norm(), {x});
    h = graph.add(block + "mlp_up", dense(4 * g.dim, "gelu", true), {h});
    h = graph.add(block + "mlp_down", dense(g.dim, "linear", true), {h});
    h = dropout(block + "mlp_dropout", h);
    x = graph.add(block + "mlp_residual", {{"type", "Add"}}, {x, h});
  }
  x = graph.add("final_norm", layer_norm(), {x});
  x = graph.add("logits", dense(vocabulary, "linear", false), {x});
  return {{"layers", graph.layers()},
          {"inputs", json::array({"tokens"})},
          {"outputs", json::array({x})}};
}

}  // namespace descent::cli
