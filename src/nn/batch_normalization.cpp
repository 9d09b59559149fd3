#include "nn/batch_normalization.h"

#include <cmath>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {
namespace {

// A per-channel constant of `shape` in `dtype` (float64 in gradient checks).
Variable constant(const Shape& shape, const std::vector<double>& values, DType dtype) {
  return Variable(Tensor(shape, std::span<const double>(values)).to(dtype));
}

}  // namespace

BatchNormalization::BatchNormalization(BatchNormalizationOptions options)
    : options_(std::move(options)) {
  if (!(options_.momentum >= 0 && options_.momentum <= 1))
    throw InvalidArgument(fmt::format(
        "BatchNormalization: momentum must be in [0, 1] (Keras's meaning: the share of the "
        "running statistics kept; PyTorch's momentum p is 1 - p), got {}",
        options_.momentum));
  if (!(options_.epsilon > 0 && std::isfinite(options_.epsilon)))
    throw InvalidArgument(
        fmt::format("BatchNormalization: epsilon must be > 0, got {}", options_.epsilon));
  if (!options_.input_shape.empty()) input_shape_ = options_.input_shape;
}

LayerPlan BatchNormalization::plan(const Shape& input_shape) const {
  if (input_shape.size() != 1 && input_shape.size() != 3)
    throw InvalidArgument(
        fmt::format("BatchNormalization expects inputs of shape (features) or (channels, height, "
                    "width), got {}",
                    shape_string(input_shape)));
  const double channels = double(input_shape[0]);
  return {input_shape, channels * ((options_.scale ? 1 : 0) + (options_.center ? 1 : 0))};
}

Shape BatchNormalization::build(const Shape& input_shape, Rng& /*rng*/) {
  plan(input_shape);
  const std::int64_t channels = input_shape[0];
  if (options_.scale) gamma_ = Variable(Tensor({channels}, 1.0f), true);
  if (options_.center) beta_ = Variable(Tensor({channels}, 0.0f), true);
  moving_mean_ = Variable(Tensor({channels}, 0.0f));
  moving_variance_ = Variable(Tensor({channels}, 1.0f));
  return input_shape;
}

Variable BatchNormalization::forward(const Variable& x, bool training) {
  const int rank = static_cast<int>(x.shape().size());
  const std::int64_t channels = moving_mean_.value().size();
  if ((rank != 2 && rank != 4) || x.shape()[1] != channels)
    throw InvalidArgument(fmt::format("{}: expected a batch of {} channels on axis 1, got {}",
                                      name(), channels, shape_string(x.shape())));
  if (training) {
    const std::int64_t count = x.value().size() / channels;
    // The unbiased variance the running statistics keep needs two values (PyTorch refuses too).
    if (count < 2)
      throw InvalidArgument(
          fmt::format("{}: training needs more than one value per channel, got a batch of shape "
                      "{} (choose a batch size that leaves no batch of one sample)",
                      name(), shape_string(x.shape())));
    BatchNorm normalized = batch_norm(x, gamma_, beta_, options_.epsilon);
    update_moving_statistics(normalized.mean, normalized.variance, count);
    return normalized.y;
  }
  // The running statistics fold into one scale and shift per channel; γ and β keep their
  // gradients through these C-value operations.
  std::vector<double> mean_values(channels), inv_std_values(channels);
  for (std::int64_t c = 0; c < channels; ++c) {
    mean_values[c] = moving_mean_.value().at(c);
    inv_std_values[c] = 1.0 / std::sqrt(moving_variance_.value().at(c) + options_.epsilon);
  }
  const Shape per_channel{channels};
  Variable scale = constant(per_channel, inv_std_values, x.dtype());
  if (gamma_.defined()) scale = mul(gamma_, scale);
  const Variable scaled_mean = mul(scale, constant(per_channel, mean_values, x.dtype()));
  const Variable shift = beta_.defined() ? sub(beta_, scaled_mean) : mul(scaled_mean, -1.0);
  return channel_affine(x, scale, shift);
}

void BatchNormalization::update_moving_statistics(const Tensor& mean, const Tensor& variance,
                                                  std::int64_t count) {
  const std::int64_t channels = mean.size();
  // A diverging step (fit() then stops or rolls back) must not leave NaN in the statistics.
  for (std::int64_t c = 0; c < channels; ++c)
    if (!std::isfinite(mean.at(c)) || !std::isfinite(variance.at(c))) return;
  const double m = options_.momentum, unbiased = double(count) / double(count - 1);
  float* moving_mean = moving_mean_.value().data();
  float* moving_variance = moving_variance_.value().data();
  for (std::int64_t c = 0; c < channels; ++c) {
    moving_mean[c] = static_cast<float>(m * moving_mean[c] + (1 - m) * mean.at(c));
    moving_variance[c] =
        static_cast<float>(m * moving_variance[c] + (1 - m) * variance.at(c) * unbiased);
  }
}

std::vector<Parameter> BatchNormalization::parameters() {
  std::vector<Parameter> out;
  if (gamma_.defined()) out.push_back({name() + "/gamma", gamma_});
  if (beta_.defined()) out.push_back({name() + "/beta", beta_});
  return out;
}

std::vector<Buffer> BatchNormalization::buffers() {
  if (!moving_mean_.defined()) return {};  // not built yet
  return {{name() + "/moving_mean", moving_mean_}, {name() + "/moving_variance", moving_variance_}};
}

nlohmann::json BatchNormalization::config() const {
  nlohmann::json c = {{"type", type()},
                      {"axis", 1},
                      {"momentum", options_.momentum},
                      {"epsilon", options_.epsilon},
                      {"center", options_.center},
                      {"scale", options_.scale}};
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

}  // namespace descent
