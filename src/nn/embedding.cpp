#include "nn/embedding.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {

Embedding::Embedding(std::int64_t input_dim, std::int64_t output_dim, EmbeddingOptions options)
    : input_dim_(input_dim), output_dim_(output_dim), options_(std::move(options)) {
  if (input_dim_ <= 0 || output_dim_ <= 0)
    throw InvalidArgument(fmt::format(
        "Embedding: input_dim and output_dim must be > 0, got {} and {}", input_dim_, output_dim_));
  if (!options_.input_shape.empty()) input_shape_ = options_.input_shape;
}

LayerPlan Embedding::plan(const Shape& input_shape) const {
  if (input_shape.size() != 1)
    throw InvalidArgument(
        fmt::format("Embedding expects inputs of shape (time) of token ids, got {}",
                    shape_string(input_shape)));
  return {{input_shape[0], output_dim_}, double(input_dim_) * double(output_dim_)};
}

Shape Embedding::build(const Shape& input_shape, Rng& rng) {
  const LayerPlan p = plan(input_shape);
  Tensor weights({input_dim_, output_dim_});
  options_.embeddings_initializer.fill(weights, rng);
  embeddings_ = Variable(std::move(weights), true);
  return p.output;
}

Variable Embedding::forward(const Variable& x, bool /*training*/) {
  if (x.shape().size() != 2)
    throw InvalidArgument(fmt::format("{}: expected token ids of shape (batch, time), got {}",
                                      name(), shape_string(x.shape())));
  // Checked here, not only in index_select, so the message names the layer and its vocabulary.
  const Tensor& ids = x.value();
  for (std::int64_t i = 0; i < ids.size(); ++i) {
    const double id = ids.at(i);
    if (!(id >= 0 && id < static_cast<double>(input_dim_) && std::floor(id) == id))
      throw InvalidArgument(
          fmt::format("{}: index {} at position {} is outside [0, {})", name(), id, i, input_dim_));
  }
  return index_select(embeddings_, ids, 0);
}

std::vector<Parameter> Embedding::parameters() {
  return {{name() + "/embeddings", embeddings_}};
}

nlohmann::json Embedding::config() const {
  nlohmann::json c = {{"type", type()},
                      {"input_dim", input_dim_},
                      {"output_dim", output_dim_},
                      {"embeddings_initializer", options_.embeddings_initializer.name()}};
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

}  // namespace descent
