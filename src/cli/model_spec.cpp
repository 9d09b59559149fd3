#include "cli/model_spec.h"

#include "cli/resnet_model.h"

#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "cli/gpt_model.h"
#include "core/error.h"
#include "core/special_file.h"
#include "nn/model_plan.h"
#include "nn/sequential.h"
#include "report/run_directory.h"

namespace descent::cli {
namespace {

using nlohmann::json;

std::vector<std::int64_t> parse_widths(const std::string& spec, const std::string& list) {
  std::vector<std::int64_t> widths;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    std::int64_t width = 0;
    const char* first = list.data() + start;
    const char* last = list.data() + comma;
    const auto [end, error] = std::from_chars(first, last, width);
    if (first == last || error != std::errc() || end != last || width <= 0)
      throw InvalidArgument(
          fmt::format("model '{}': layer widths must be positive integers", spec));
    widths.push_back(width);
    start = comma + 1;
  }
  return widths;
}

// Shorthand models draw their weights as PyTorch does by default, so their figures compare with
// PyTorch's at equal settings.
json dense(std::int64_t units, const char* activation) {
  return {{"type", "Dense"},
          {"units", units},
          {"activation", activation},
          {"kernel_initializer", "torch_uniform"},
          {"bias_initializer", "torch_uniform"}};
}

json conv(std::int64_t filters) {
  return {{"type", "Conv2D"},
          {"filters", filters},
          {"kernel_size", 3},
          {"activation", "relu"},
          {"kernel_initializer", "torch_uniform"},
          {"bias_initializer", "torch_uniform"}};
}

bool is_functional(const json& config) {
  return config.is_object() && config.contains("outputs");
}

}  // namespace

json model_config(const std::string& spec, const Shape& sample_shape, std::int64_t outputs) {
  json layers = json::array();
  Shape input = sample_shape;
  if (spec == "cnn") {
    if (sample_shape.size() != 3)
      throw InvalidArgument(
          fmt::format("model 'cnn' needs image inputs (channels, height, width), got {}",
                      shape_string(sample_shape)));
    layers = {conv(32),
              {{"type", "MaxPool2D"}, {"pool_size", 2}},
              conv(64),
              {{"type", "MaxPool2D"}, {"pool_size", 2}},
              {{"type", "Flatten"}},
              dense(128, "relu"),
              dense(outputs, "linear")};
    return {{"input_shape", input}, {"layers", layers}};
  }
  if (is_resnet_spec(spec)) return resnet_config(spec, sample_shape, outputs);
  if (spec == "linear" || spec.starts_with("mlp:")) {
    if (sample_shape.size() > 1) layers.push_back({{"type", "Flatten"}});
    if (spec != "linear")
      for (std::int64_t width : parse_widths(spec, spec.substr(4)))
        layers.push_back(dense(width, "relu"));
    layers.push_back(dense(outputs, "linear"));
    return {{"input_shape", input}, {"layers", layers}};
  }
  if (is_gpt_model(spec)) return gpt_model_config(spec, sample_shape, outputs);
  if (spec.ends_with(".json") || std::filesystem::exists(spec)) {
    refuse_special_file(spec, "--model");
    json config = read_json_file(spec);
    try {
      if (is_functional(config)) {
        // An input without a shape takes the data's; the graph, its layers and shapes are checked
        // by planning it, without building.
        for (json& layer : config["layers"])
          if (layer.is_object() && layer.value("type", "") == "InputLayer" &&
              !layer.contains("shape"))
            layer["shape"] = input;
        plan_model(config);
        if (config["inputs"].size() != 1 || config["outputs"].size() != 1)
          throw InvalidArgument(
              fmt::format("the command line trains a model with one input and "
                          "one output (\"inputs\" names {}, \"outputs\" {})",
                          config["inputs"].size(), config["outputs"].size()));
        return config;
      }
      if (config.is_object() && !config.contains("input_shape")) config["input_shape"] = input;
      // Shapes and layers are checked without building: the weights may not fit in memory, which
      // is checked next, from the plan (cli/memory_check.h).
      plan_model(config);
      json unbuilt = config;
      unbuilt.erase("input_shape");
      if (unbuilt["layers"][0].is_object()) unbuilt["layers"][0].erase("input_shape");
      Sequential::from_config(unbuilt);  // rejects unknown keys and wrong types, naming them
    } catch (const InvalidArgument& e) {
      throw DataError(fmt::format("{}: {}", spec, e.what()));
    }
    return config;
  }
  throw InvalidArgument(
      fmt::format("unknown model '{}' (known: linear, mlp:W1,W2,..., cnn, resnet[:W1,W2,...], "
                  "gpt[:KEY=VALUE,...], "
                  "or a .json model file)",
                  spec));
}

bool outputs_logits(const json& config) {
  if (!config.contains("layers") || !config["layers"].is_array() || config["layers"].empty())
    return false;
  const json* last = &config["layers"].back();
  // A graph's output is the layer its (one) output names.
  if (is_functional(config))
    for (const json& layer : config["layers"])
      if (layer.value("name", "") == config["outputs"][0]) last = &layer;
  return last->value("type", "") == "Dense" && last->value("activation", "linear") == "linear";
}

}  // namespace descent::cli
