#include "nn/positional_embedding.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {

PositionalEmbedding::PositionalEmbedding(std::int64_t max_length,
                                         PositionalEmbeddingOptions options)
    : max_length_(max_length), options_(std::move(options)) {
  if (max_length_ <= 0)
    throw InvalidArgument(
        fmt::format("PositionalEmbedding: max_length must be > 0, got {}", max_length_));
  if (!options_.input_shape.empty()) input_shape_ = options_.input_shape;
}

LayerPlan PositionalEmbedding::plan(const Shape& input_shape) const {
  if (input_shape.size() != 2)
    throw InvalidArgument(
        fmt::format("PositionalEmbedding expects inputs of shape (time, features), got {}",
                    shape_string(input_shape)));
  if (input_shape[0] > max_length_)
    throw InvalidArgument(
        fmt::format("PositionalEmbedding: sequences of length {} exceed max_length {}",
                    input_shape[0], max_length_));
  return {input_shape, double(max_length_) * double(input_shape[1])};
}

Shape PositionalEmbedding::build(const Shape& input_shape, Rng& rng) {
  plan(input_shape);
  Tensor weights({max_length_, input_shape[1]});
  options_.embeddings_initializer.fill(weights, rng);
  embeddings_ = Variable(std::move(weights), true);
  return input_shape;
}

Variable PositionalEmbedding::forward(const Variable& x, bool /*training*/) {
  const Shape& s = x.shape();
  const std::int64_t features = embeddings_.shape()[1];
  if (s.size() != 3 || s[2] != features)
    throw InvalidArgument(fmt::format("{}: expected inputs of shape (batch, time, {}), got {}",
                                      name(), features, shape_string(s)));
  if (s[1] > max_length_)
    throw InvalidArgument(fmt::format("{}: a sequence of length {} exceeds max_length {}", name(),
                                      s[1], max_length_));
  return add(x, narrow(embeddings_, 0, 0, s[1]));
}

std::vector<Parameter> PositionalEmbedding::parameters() {
  return {{name() + "/embeddings", embeddings_}};
}

nlohmann::json PositionalEmbedding::config() const {
  nlohmann::json c = {{"type", type()},
                      {"max_length", max_length_},
                      {"embeddings_initializer", options_.embeddings_initializer.name()}};
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

}  // namespace descent
