#include "nn/functional.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/options_reader.h"
#include "nn/layer_config.h"

namespace descent {
namespace {

using nlohmann::json;

bool is_input(const Layer& layer) {
  return layer.type() == "InputLayer";
}

// Runs `step` (a layer's plan or build), naming the layer in any error it throws.
template <typename Step>
auto naming_layer(const Layer& layer, Step step) {
  try {
    return step();
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(
        fmt::format("model: layer \"{}\" ({}): {}", layer.name(), layer.type(), e.what()));
  }
}

std::vector<Shape> inbound_shapes(const std::vector<std::size_t>& inbound,
                                  const std::vector<Shape>& shapes) {
  std::vector<Shape> out;
  for (std::size_t k : inbound)
    out.push_back(shapes[k]);
  return out;
}

// A layer that declares its input shape (Keras's input_shape) must get that shape.
void check_declared_shape(const Layer& layer, const std::vector<Shape>& inputs) {
  if (!is_input(layer) && layer.input_shape() && inputs.size() == 1 &&
      inputs[0] != *layer.input_shape())
    throw InvalidArgument(fmt::format("declares input shape {} but gets {}",
                                      shape_string(*layer.input_shape()), shape_string(inputs[0])));
}

std::vector<std::string> names(const json& config, const char* key) {
  const json* list = config.contains(key) ? &config[key] : nullptr;
  const bool valid =
      list && list->is_array() && !list->empty() &&
      std::all_of(list->begin(), list->end(), [](const json& v) { return v.is_string(); });
  if (!valid)
    throw InvalidArgument(
        fmt::format("model: \"{}\" must be a non-empty array of layer names", key));
  return list->get<std::vector<std::string>>();
}

}  // namespace

LayerGraph LayerGraph::from_config(const json& config) {
  if (!config.is_object()) throw InvalidArgument("model: expected a JSON object with \"layers\"");
  for (const auto& [key, value] : config.items())
    if (key != "layers" && key != "inputs" && key != "outputs")
      throw InvalidArgument(
          fmt::format("model: unknown key \"{}\" (known: inputs, outputs, layers)", key));
  if (!config.contains("layers") || !config["layers"].is_array() || config["layers"].empty())
    throw InvalidArgument("model: \"layers\" must be a non-empty array");
  std::vector<std::unique_ptr<Layer>> layers;
  std::vector<std::vector<std::string>> inbound;
  for (const json& entry : config["layers"]) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string())
      throw InvalidArgument(
          fmt::format("model: each layer of a functional model needs a \"name\" string, got {}",
                      shown_in_message(entry)));
    const std::string name = entry["name"].get<std::string>();
    json layer_config = entry;
    layer_config.erase("name");
    inbound.emplace_back();
    if (entry.contains("inbound")) {
      const json& list = entry["inbound"];
      if (!list.is_array() ||
          !std::all_of(list.begin(), list.end(), [](const json& v) { return v.is_string(); }))
        throw InvalidArgument(
            fmt::format("model: layer \"{}\": \"inbound\" must be an array of layer names", name));
      inbound.back() = list.get<std::vector<std::string>>();
      layer_config.erase("inbound");
    }
    try {
      layers.push_back(layer_from_config(layer_config));
    } catch (const InvalidArgument& e) {
      const std::string what = e.what();
      throw InvalidArgument(fmt::format("model: layer \"{}\": {}", name,
                                        what.starts_with("model: ") ? what.substr(7) : what));
    }
    layers.back()->set_name(name);
  }
  return connect(std::move(layers), inbound, names(config, "inputs"), names(config, "outputs"));
}

LayerGraph LayerGraph::from_tensors(const std::vector<SymbolicTensor>& inputs,
                                    const std::vector<SymbolicTensor>& outputs) {
  // The inputs (so that they are named in order), then every node the outputs depend on, each
  // after its inbound nodes. connect() sorts them and rejects, by name, an input no output uses.
  using Node = SymbolicTensor::Node;
  std::vector<const Node*> nodes;
  std::map<const Node*, std::size_t> seen;
  const auto visit = [&](const Node* root) {
    if (!seen.emplace(root, 0).second) return;
    std::vector<std::pair<const Node*, std::size_t>> stack{{root, 0}};
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next == node->inbound.size()) {
        seen[node] = nodes.size();
        nodes.push_back(node);
        stack.pop_back();
        continue;
      }
      const Node* from = &node->inbound[next++].node();
      if (seen.emplace(from, 0).second) stack.emplace_back(from, 0);
    }
  };
  for (const SymbolicTensor& t : inputs)
    visit(&t.node());
  for (const SymbolicTensor& t : outputs)
    visit(&t.node());
  // Names: the layer's own, else the first free default name of its type.
  std::set<std::string> taken;
  for (const Node* node : nodes)
    taken.insert(node->layer->name());
  std::map<std::string, int> next_index;
  std::vector<std::unique_ptr<Layer>> layers;
  for (const Node* node : nodes) {
    layers.push_back(unbuilt_copy(*node->layer));
    if (!layers.back()->name().empty()) continue;
    const std::string type = node->layer->type();
    std::string name;
    do
      name = default_layer_name(type, next_index[type]++);
    while (taken.contains(name));
    taken.insert(name);
    layers.back()->set_name(name);
  }
  const auto name_of = [&](const SymbolicTensor& t) { return layers[seen.at(&t.node())]->name(); };
  std::vector<std::vector<std::string>> inbound;
  for (const Node* node : nodes) {
    inbound.emplace_back();
    for (const SymbolicTensor& t : node->inbound)
      inbound.back().push_back(name_of(t));
  }
  std::vector<std::string> input_names, output_names;
  for (const SymbolicTensor& t : inputs)
    input_names.push_back(name_of(t));
  for (const SymbolicTensor& t : outputs)
    output_names.push_back(name_of(t));
  return connect(std::move(layers), inbound, input_names, output_names);
}

LayerGraph LayerGraph::connect(std::vector<std::unique_ptr<Layer>> layers,
                               const std::vector<std::vector<std::string>>& inbound,
                               const std::vector<std::string>& inputs,
                               const std::vector<std::string>& outputs) {
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (!position.emplace(layers[i]->name(), i).second)
      throw InvalidArgument(fmt::format("model: duplicate layer name \"{}\"", layers[i]->name()));
  const auto find = [&](const std::string& name, const std::string& what) {
    const auto it = position.find(name);
    if (it == position.end())
      throw InvalidArgument(fmt::format("model: {} \"{}\", which is not a layer", what, name));
    return it->second;
  };
  std::vector<std::vector<std::size_t>> edges(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string& name = layers[i]->name();
    for (const std::string& from : inbound[i])
      edges[i].push_back(find(from, fmt::format("layer \"{}\" has inbound", name)));
    if (is_input(*layers[i]) && !edges[i].empty())
      throw InvalidArgument(fmt::format("model: layer \"{}\" (InputLayer) takes no inbound", name));
    if (!is_input(*layers[i]) && edges[i].empty())
      throw InvalidArgument(fmt::format("model: layer \"{}\" has no inbound layers", name));
  }
  LayerGraph graph;
  for (const std::string& name : inputs) {
    graph.inputs.push_back(find(name, "\"inputs\" names"));
    if (!is_input(*layers[graph.inputs.back()]))
      throw InvalidArgument(fmt::format("model: input \"{}\" is not an InputLayer", name));
  }
  for (const std::string& name : outputs)
    graph.outputs.push_back(find(name, "\"outputs\" names"));
  const std::set<std::size_t> input_set(graph.inputs.begin(), graph.inputs.end());

  // Depth-first from each output, inbound layers in order; a layer is placed once all its inbound
  // layers are (post-order). An explicit stack: a long chain from a hostile file must not overflow.
  enum class Mark { none, open, done };
  std::vector<Mark> mark(layers.size(), Mark::none);
  std::vector<std::size_t> order;
  for (std::size_t output : graph.outputs) {
    if (mark[output] != Mark::none) continue;
    mark[output] = Mark::open;
    std::vector<std::pair<std::size_t, std::size_t>> stack{{output, 0}};  // layer, next inbound
    while (!stack.empty()) {
      auto& [at, next] = stack.back();
      if (next == edges[at].size()) {
        mark[at] = Mark::done;
        order.push_back(at);
        stack.pop_back();
        continue;
      }
      const std::size_t from = edges[at][next++];
      if (mark[from] == Mark::open)
        throw InvalidArgument(
            fmt::format("model: layer \"{}\" is in a cycle", layers[from]->name()));
      if (mark[from] == Mark::done) continue;
      if (is_input(*layers[from]) && !input_set.contains(from))
        throw InvalidArgument(fmt::format(
            "model: output \"{}\" depends on \"{}\", which is not one of the model's inputs",
            layers[output]->name(), layers[from]->name()));
      mark[from] = Mark::open;
      stack.emplace_back(from, 0);
    }
  }
  for (std::size_t input : graph.inputs)
    if (mark[input] != Mark::done)
      throw InvalidArgument(
          fmt::format("model: input \"{}\" is not used by any output", layers[input]->name()));
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (mark[i] != Mark::done)
      throw InvalidArgument(
          fmt::format("model: layer \"{}\" is not connected to any output", layers[i]->name()));

  std::vector<std::size_t> sorted_position(layers.size());
  for (std::size_t k = 0; k < order.size(); ++k)
    sorted_position[order[k]] = k;
  for (std::size_t i : order) {
    graph.layers.push_back(std::move(layers[i]));
    graph.inbound.emplace_back();
    for (std::size_t from : edges[i])
      graph.inbound.back().push_back(sorted_position[from]);
  }
  for (std::size_t& i : graph.inputs)
    i = sorted_position[i];
  for (std::size_t& i : graph.outputs)
    i = sorted_position[i];
  return graph;
}

std::vector<LayerPlan> LayerGraph::plan() const {
  std::vector<LayerPlan> plans;
  std::vector<Shape> shapes;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const Layer& layer = *layers[i];
    const std::vector<Shape> in = inbound_shapes(inbound[i], shapes);
    plans.push_back(naming_layer(layer, [&] {
      check_declared_shape(layer, in);
      return layer.plan_inbound(in);
    }));
    shapes.push_back(plans.back().output);
  }
  return plans;
}

Functional::Functional(LayerGraph graph, std::uint64_t seed)
    : Network(seed),
      inbound_(std::move(graph.inbound)),
      inputs_(std::move(graph.inputs)),
      outputs_(std::move(graph.outputs)) {
  layers_ = std::move(graph.layers);
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    Layer& layer = *layers_[i];
    const std::vector<Shape> in = inbound_shapes(inbound_[i], output_shapes_);
    output_shapes_.push_back(naming_layer(layer, [&] {
      check_declared_shape(layer, in);
      return layer.build_inbound(in, rng_);
    }));
  }
}

Functional::Functional(const std::vector<SymbolicTensor>& inputs,
                       const std::vector<SymbolicTensor>& outputs, std::uint64_t seed)
    : Functional(LayerGraph::from_tensors(inputs, outputs), seed) {}

Functional Functional::from_config(const json& config, std::uint64_t seed) {
  return Functional(LayerGraph::from_config(config), seed);
}

void Functional::build(const Shape& input_shape) {
  if (input_shape != this->input_shape())
    throw InvalidArgument(fmt::format("model built for inputs of shape {}, got {}",
                                      shape_string(this->input_shape()),
                                      shape_string(input_shape)));
}

const Shape& Functional::input_shape() const {
  check_one_input_and_output("input_shape");
  return output_shapes_[inputs_[0]];
}

const Shape& Functional::output_shape() const {
  check_one_input_and_output("output_shape");
  return output_shapes_[outputs_[0]];
}

std::vector<Shape> Functional::input_shapes() const {
  return inbound_shapes(inputs_, output_shapes_);
}

std::vector<Shape> Functional::output_shapes() const {
  return inbound_shapes(outputs_, output_shapes_);
}

Variable Functional::forward(const Variable& x, bool training) {
  check_one_input_and_output("forward");
  return forward_all({x}, training)[0];
}

std::vector<Variable> Functional::forward_all(const std::vector<Variable>& inputs, bool training) {
  if (inputs.size() != inputs_.size())
    throw InvalidArgument(
        fmt::format("the model takes {} inputs, got {}", inputs_.size(), inputs.size()));
  std::vector<Variable> values(layers_.size());
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const Shape& expected = output_shapes_[inputs_[k]];
    const Shape sample(inputs[k].shape().begin() + 1, inputs[k].shape().end());
    if (sample != expected)
      throw InvalidArgument(fmt::format("input \"{}\" expects samples of shape {}, got {}",
                                        layers_[inputs_[k]]->name(), shape_string(expected),
                                        shape_string(sample)));
    values[inputs_[k]] = inputs[k];
  }
  // A layer's output is let go once its last consumer has run (the model's outputs are kept):
  // without a tape (evaluation, prediction) nothing else holds it, and a transformer's
  // intermediates would otherwise all live until the end of the pass.
  std::vector<std::size_t> last_use(layers_.size(), 0);
  for (std::size_t i = 0; i < layers_.size(); ++i)
    for (std::size_t k : inbound_[i])
      last_use[k] = i;
  for (std::size_t k : outputs_)
    last_use[k] = layers_.size();
  std::vector<Variable> args;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (inbound_[i].empty()) continue;  // an input, set above
    args.clear();
    for (std::size_t k : inbound_[i])
      args.push_back(values[k]);
    values[i] = layers_[i]->forward_inbound(args, training);
    args.clear();
    for (std::size_t k : inbound_[i])
      if (last_use[k] == i) values[k] = Variable();
  }
  std::vector<Variable> out;
  for (std::size_t k : outputs_)
    out.push_back(values[k]);
  return out;
}

std::string Functional::summary() const {
  std::vector<SummaryRow> rows;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    rows.push_back({layers_[i].get(), &output_shapes_[i], {}});
    for (std::size_t k : inbound_[i])
      rows.back().connected_to.push_back(layers_[k]->name());
  }
  return summary_table("functional", rows, true);
}

json Functional::config() const {
  json layers = json::array();
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    json c = layers_[i]->config();
    c["name"] = layers_[i]->name();
    if (!inbound_[i].empty()) {
      c["inbound"] = json::array();
      for (std::size_t k : inbound_[i])
        c["inbound"].push_back(layers_[k]->name());
    }
    layers.push_back(std::move(c));
  }
  json inputs = json::array(), outputs = json::array();
  for (std::size_t k : inputs_)
    inputs.push_back(layers_[k]->name());
  for (std::size_t k : outputs_)
    outputs.push_back(layers_[k]->name());
  return {{"inputs", inputs}, {"outputs", outputs}, {"layers", layers}};
}

}  // namespace descent
