#include "cli/resnet_model.h"

#include <charconv>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace descent::cli {
namespace {

using nlohmann::json;

struct ResnetSpec {
  std::vector<std::int64_t> widths = {16, 32, 64};
  std::int64_t blocks = 2;
};

// `text` as an integer > 0; else InvalidArgument "model 'SPEC': PROBLEM".
std::int64_t positive_integer(std::string_view text, const std::string& spec,
                              std::string_view problem) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value <= 0)
    throw InvalidArgument(fmt::format("model '{}': {}", spec, problem));
  return value;
}

ResnetSpec parse_spec(const std::string& spec) {
  ResnetSpec out;
  if (spec == "resnet") return out;
  std::string_view rest = std::string_view(spec).substr(std::string_view("resnet:").size());
  const std::size_t colon = rest.find(':');
  if (colon != std::string_view::npos) {
    const std::string_view option = rest.substr(colon + 1);
    if (!option.starts_with("blocks="))
      throw InvalidArgument(
          fmt::format("model '{}': expected resnet:W1,W2,...:blocks=N after the widths, got '{}'",
                      spec, option));
    out.blocks = positive_integer(option.substr(std::string_view("blocks=").size()), spec,
                                  "blocks must be a positive integer");
    rest = rest.substr(0, colon);
  }
  out.widths.clear();
  std::size_t start = 0;
  while (start <= rest.size()) {
    const std::size_t comma = std::min(rest.find(',', start), rest.size());
    out.widths.push_back(positive_integer(rest.substr(start, comma - start), spec,
                                          "stage widths must be positive integers"));
    start = comma + 1;
  }
  return out;
}

// Adds layers to a graph, each taking the previous one's output unless told otherwise.
class GraphBuilder {
 public:
  explicit GraphBuilder(const Shape& input_shape) {
    layers_.push_back({{"name", "input"}, {"type", "InputLayer"}, {"shape", input_shape}});
  }

  // Adds `layer` named `name` on `inbound`; returns the name.
  std::string add(const std::string& name, json layer, const std::vector<std::string>& inbound) {
    layer["name"] = name;
    layer["inbound"] = inbound;
    layers_.push_back(std::move(layer));
    return name;
  }

  // conv k×k → BatchNormalization; returns the BN's name.
  std::string conv_bn(const std::string& name, const std::string& inbound, std::int64_t filters,
                      int kernel_size, std::int64_t strides) {
    // No bias: the BatchNormalization after it shifts by its own β. PyTorch's default weights.
    const std::string conv = add(name + "_conv",
                                 {{"type", "Conv2D"},
                                  {"filters", filters},
                                  {"kernel_size", kernel_size},
                                  {"strides", strides},
                                  {"padding", "same"},
                                  {"use_bias", false},
                                  {"kernel_initializer", "torch_uniform"}},
                                 {inbound});
    // PyTorch's BatchNorm2d settings (momentum 0.1 there, the share kept 0.9 here), so that the
    // running statistics settle within the few epochs of a small run.
    return add(name + "_bn", {{"type", "BatchNormalization"}, {"momentum", 0.9}, {"epsilon", 1e-5}},
               {conv});
  }

  std::string relu(const std::string& name, const std::string& inbound) {
    return add(name, {{"type", "Activation"}, {"activation", "relu"}}, {inbound});
  }

  json config(const std::string& output) const {
    return {{"inputs", json::array({"input"})},
            {"outputs", json::array({output})},
            {"layers", layers_}};
  }

 private:
  json layers_ = json::array();
};

}  // namespace

bool is_resnet_spec(const std::string& spec) {
  return spec == "resnet" || spec.starts_with("resnet:");
}

json resnet_config(const std::string& spec, const Shape& sample_shape, std::int64_t outputs) {
  const ResnetSpec parsed = parse_spec(spec);
  if (sample_shape.size() != 3)
    throw InvalidArgument(
        fmt::format("model '{}' needs image inputs (channels, height, width), got {}", spec,
                    shape_string(sample_shape)));
  GraphBuilder graph(sample_shape);
  std::string x = graph.relu("stem_relu", graph.conv_bn("stem", "input", parsed.widths[0], 3, 1));
  std::int64_t channels = parsed.widths[0];
  for (std::size_t stage = 0; stage < parsed.widths.size(); ++stage) {
    const std::int64_t width = parsed.widths[stage];
    for (std::int64_t block = 0; block < parsed.blocks; ++block) {
      const std::string name = fmt::format("stage{}_block{}", stage + 1, block + 1);
      const std::int64_t strides = stage > 0 && block == 0 ? 2 : 1;
      const std::string residual = graph.conv_bn(
          name + "_2",
          graph.relu(name + "_relu1", graph.conv_bn(name + "_1", x, width, 3, strides)), width, 3,
          1);
      const std::string shortcut = strides != 1 || channels != width
                                       ? graph.conv_bn(name + "_shortcut", x, width, 1, strides)
                                       : x;
      x = graph.relu(name + "_relu2",
                     graph.add(name + "_add", {{"type", "Add"}}, {residual, shortcut}));
      channels = width;
    }
  }
  x = graph.add("pool", {{"type", "GlobalAveragePooling2D"}}, {x});
  const std::string logits = graph.add("logits",
                                       {{"type", "Dense"},
                                        {"units", outputs},
                                        {"kernel_initializer", "torch_uniform"},
                                        {"bias_initializer", "torch_uniform"}},
                                       {x});
  return graph.config(logits);
}

}  // namespace descent::cli
