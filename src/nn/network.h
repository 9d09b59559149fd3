// Network: layers wired together, what a Model trains (train/model.h). Two kinds implement it: a
// Sequential stack (nn/sequential.h) and a Functional graph (nn/functional.h). The network owns
// its layers and the random stream they are initialised from; what depends on the layers alone
// (weights by name, counts, penalties) is computed here, once for both kinds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/state_dict.h"
#include "nn/layer.h"

namespace descent {

class Network {
 public:
  // `seed` drives weight initialisation and dropout: the same seed gives the same network.
  explicit Network(std::uint64_t seed);
  virtual ~Network() = default;
  Network(Network&&) = default;
  Network& operator=(Network&&) = default;

  // Builds every layer for inputs of `input_shape` (without the batch axis); a network that is
  // already built checks the shape.
  virtual void build(const Shape& input_shape) = 0;
  virtual bool built() const = 0;
  // The one input's and the one output's shape, without the batch axis.
  virtual const Shape& input_shape() const = 0;
  virtual const Shape& output_shape() const = 0;
  // How many inputs the network takes and outputs it gives (one each for a Sequential).
  virtual std::size_t input_count() const { return 1; }
  virtual std::size_t output_count() const { return 1; }
  // Throws InvalidArgument unless the network has one input and one output, naming `what` (the
  // call that needs them).
  void check_one_input_and_output(const char* what) const;
  // One input batch in, one output batch out.
  virtual Variable forward(const Variable& x, bool training = false) = 0;
  // A batch for each input in, a batch for each output out.
  virtual std::vector<Variable> forward_all(const std::vector<Variable>& inputs,
                                            bool training = false);
  // A Keras-like table of the layers and the parameter totals: all, trainable and non-trainable.
  virtual std::string summary() const = 0;
  // The architecture as JSON (docs/model-format.md).
  virtual nlohmann::json config() const = 0;

  std::vector<Parameter> parameters() const;
  // Every layer's non-trainable state (Layer::buffers), in layer order.
  std::vector<Buffer> buffers() const;
  std::vector<Variable> trainable_variables() const;
  // Values in the weights, trainable and not (Keras's count_params), and each kind apart.
  std::int64_t count_params() const;
  std::int64_t count_trainable_params() const;
  std::int64_t count_non_trainable_params() const;
  // Every layer's weight penalties as terms of the graph (Layer::penalties).
  std::vector<Variable> penalties() const;
  // Their sum, the term the training loss adds; undefined when no layer has a penalty.
  Variable penalty() const;

  // Weights by name, the trainable ones and the buffers (Keras's get_weights holds both); loading
  // checks names and shapes.
  StateDict weights() const;
  void set_weights(const StateDict& weights);
  // Throws InvalidArgument unless `weights` has exactly the network's tensor names and shapes.
  void check_weights(const StateDict& weights) const;

  // In order: the order added (Sequential) or a topological order (Functional).
  const std::vector<std::unique_ptr<Layer>>& layers() const { return layers_; }
  Rng& rng() { return rng_; }
  // Every random stream training draws from: the network's, then each layer's own, in layer order.
  std::vector<Rng*> random_streams();

 protected:
  // One row of summary(): a layer, its output shape (if built) and, for a graph, its inputs.
  struct SummaryRow {
    Layer* layer;
    const Shape* output;
    std::vector<std::string> connected_to;
  };
  // The summary table titled `title`, with a "Connected to" column when `connections`.
  std::string summary_table(const std::string& title, const std::vector<SummaryRow>& rows,
                            bool connections) const;

  std::vector<std::unique_ptr<Layer>> layers_;
  Rng rng_;

 private:
  std::vector<std::pair<std::string, Variable>> named_weights() const;
};

// Keras's default name for the layer of `type` that is the `index`-th of its type (from 0):
// "MaxPool2D" -> max_pool2d, max_pool2d_1, ...
std::string default_layer_name(const std::string& type, int index);

// The network a model JSON describes: a Functional graph when it names "outputs", else a
// Sequential stack.
std::unique_ptr<Network> network_from_config(const nlohmann::json& config, std::uint64_t seed = 42);

}  // namespace descent
