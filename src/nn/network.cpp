#include "nn/network.h"

#include <cctype>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/elementwise.h"
#include "nn/functional.h"
#include "nn/sequential.h"

namespace descent {
namespace {

std::int64_t layer_params(Layer& layer) {
  std::int64_t count = 0;
  for (const Parameter& p : layer.parameters())
    count += p.variable.value().size();
  for (const Buffer& b : layer.buffers())
    count += b.variable.value().size();
  return count;
}

// "(None, 28, 28)": the batch axis first, as Keras shows it.
std::string batch_shape_string(const Shape& shape) {
  std::string out = "(None";
  for (std::int64_t d : shape)
    out += fmt::format(", {}", d);
  return out + ")";
}

std::string count_of(std::size_t n, const char* thing) {
  return fmt::format("{} {}{}", n, thing, n == 1 ? "" : "s");
}

}  // namespace

std::string default_layer_name(const std::string& type, int index) {
  std::string base;
  for (std::size_t i = 0; i < type.size(); ++i) {
    const char c = type[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
        std::islower(static_cast<unsigned char>(type[i - 1])))
      base += '_';
    base += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return index == 0 ? base : fmt::format("{}_{}", base, index);
}

std::unique_ptr<Network> network_from_config(const nlohmann::json& config, std::uint64_t seed) {
  if (config.is_object() && config.contains("outputs"))
    return std::make_unique<Functional>(Functional::from_config(config, seed));
  return std::make_unique<Sequential>(Sequential::from_config(config, seed));
}

Network::Network(std::uint64_t seed) : rng_(seed) {}

void Network::check_one_input_and_output(const char* what) const {
  if (input_count() != 1 || output_count() != 1)
    throw InvalidArgument(
        fmt::format("{}: the model has {} and {}; it takes a model with one input and one output",
                    what, count_of(input_count(), "input"), count_of(output_count(), "output")));
}

std::vector<Variable> Network::forward_all(const std::vector<Variable>& inputs, bool training) {
  if (inputs.size() != input_count())
    throw InvalidArgument(
        fmt::format("the model takes {} inputs, got {}", input_count(), inputs.size()));
  return {forward(inputs[0], training)};
}

std::vector<Parameter> Network::parameters() const {
  std::vector<Parameter> out;
  for (const auto& layer : layers_)
    for (Parameter& p : layer->parameters())
      out.push_back(std::move(p));
  return out;
}

std::vector<Buffer> Network::buffers() const {
  std::vector<Buffer> out;
  for (const auto& layer : layers_)
    for (Buffer& b : layer->buffers())
      out.push_back(std::move(b));
  return out;
}

std::vector<Variable> Network::trainable_variables() const {
  std::vector<Variable> out;
  for (const Parameter& p : parameters())
    out.push_back(p.variable);
  return out;
}

std::int64_t Network::count_params() const {
  return count_trainable_params() + count_non_trainable_params();
}

std::int64_t Network::count_trainable_params() const {
  std::int64_t total = 0;
  for (const Parameter& p : parameters())
    total += p.variable.value().size();
  return total;
}

std::int64_t Network::count_non_trainable_params() const {
  std::int64_t total = 0;
  for (const Buffer& b : buffers())
    total += b.variable.value().size();
  return total;
}

std::vector<Variable> Network::penalties() const {
  std::vector<Variable> terms;
  for (const auto& layer : layers_)
    for (Variable& term : layer->penalties())
      terms.push_back(std::move(term));
  return terms;
}

Variable Network::penalty() const {
  Variable total;
  for (const Variable& term : penalties())
    total = total.defined() ? descent::add(total, term) : term;
  return total;
}

std::string Network::summary_table(const std::string& title, const std::vector<SummaryRow>& rows,
                                   bool connections) const {
  const std::size_t width = connections ? 95 : 65;
  const std::string rule(width, '_'), double_rule(width, '=');
  const auto line = [&](const std::string& layer, const std::string& shape,
                        const std::string& params, const std::string& connected) {
    return connections ? fmt::format(" {:<28}{:<26}{:<10}{:<30}\n", layer, shape, params, connected)
                       : fmt::format(" {:<28}{:<26}{:<10}\n", layer, shape, params);
  };
  std::string out = fmt::format("Model: \"{}\"\n{}\n", title, rule);
  out += line("Layer (type)", "Output Shape", "Param #", "Connected to");
  out += double_rule + "\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const SummaryRow& row = rows[i];
    const auto& connected = row.connected_to;
    out += line(fmt::format("{} ({})", row.layer->name(), row.layer->type()),
                row.output ? batch_shape_string(*row.output) : "?",
                std::to_string(layer_params(*row.layer)), connected.empty() ? "" : connected[0]);
    // A layer that merges several takes one line per input, as Keras shows it.
    for (std::size_t k = 1; k < connected.size(); ++k)
      out += line("", "", "", connected[k]);
    out += (i + 1 < rows.size() ? std::string(width, ' ') : double_rule) + "\n";
  }
  if (rows.empty()) out += double_rule + "\n";
  const std::int64_t trainable = count_trainable_params(),
                     non_trainable = count_non_trainable_params();
  out += fmt::format("Total params: {}\nTrainable params: {}\nNon-trainable params: {}\n{}\n",
                     trainable + non_trainable, trainable, non_trainable, rule);
  return out;
}

std::vector<Rng*> Network::random_streams() {
  std::vector<Rng*> streams{&rng_};
  for (const auto& layer : layers_)
    if (Rng* stream = layer->random_stream()) streams.push_back(stream);
  return streams;
}

// Every tensor that weights() saves, by name: the parameters, then the buffers.
std::vector<std::pair<std::string, Variable>> Network::named_weights() const {
  std::vector<std::pair<std::string, Variable>> out;
  for (Parameter& p : parameters())
    out.emplace_back(std::move(p.name), std::move(p.variable));
  for (Buffer& b : buffers())
    out.emplace_back(std::move(b.name), std::move(b.variable));
  return out;
}

StateDict Network::weights() const {
  StateDict state;
  for (const auto& [name, variable] : named_weights())
    state.tensors.emplace(name, variable.value());
  return state;
}

void Network::check_weights(const StateDict& weights) const {
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

void Network::set_weights(const StateDict& weights) {
  check_weights(weights);
  for (auto& [name, variable] : named_weights())
    variable.value() = weights.tensors.at(name);
}

}  // namespace descent
