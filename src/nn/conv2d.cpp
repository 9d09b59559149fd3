#include "nn/conv2d.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {

Conv2D::Conv2D(std::int64_t filters, int kernel_size, Conv2DOptions options)
    : filters_(filters),
      kernel_size_(kernel_size),
      options_(std::move(options)),
      activation_(parse_activation(options_.activation)) {
  if (filters_ <= 0)
    throw InvalidArgument(fmt::format("Conv2D: filters must be > 0, got {}", filters_));
  if (kernel_size_ <= 0)
    throw InvalidArgument(fmt::format("Conv2D: kernel_size must be > 0, got {}", kernel_size_));
  if (options_.stride <= 0)
    throw InvalidArgument(fmt::format("Conv2D: stride must be > 0, got {}", options_.stride));
  if (options_.padding == "same") {
    same_ = true;
  } else if (options_.padding != "valid") {
    throw InvalidArgument(
        fmt::format("Conv2D: unknown padding '{}' (known: valid, same)", options_.padding));
  }
  if (!options_.input_shape.empty()) input_shape_ = options_.input_shape;
}

LayerPlan Conv2D::plan(const Shape& input_shape) const {
  if (input_shape.size() != 3)
    throw InvalidArgument(
        fmt::format("Conv2D expects (channels, height, width) inputs, got shape {}",
                    shape_string(input_shape)));
  // Checked before dividing: (in - k) / stride rounds a small negative up to zero.
  if (!same_ && (input_shape[1] < kernel_size_ || input_shape[2] < kernel_size_))
    throw InvalidArgument(fmt::format("Conv2D: kernel {} is larger than the input {}", kernel_size_,
                                      shape_string(input_shape)));
  const auto out_size = [&](std::int64_t in) {
    return same_ ? (in + options_.stride - 1) / options_.stride
                 : (in - kernel_size_) / options_.stride + 1;
  };
  const Shape output{filters_, out_size(input_shape[1]), out_size(input_shape[2])};
  const double kernel =
      double(filters_) * double(input_shape[0]) * double(kernel_size_) * double(kernel_size_);
  return {output, options_.use_bias ? kernel + double(filters_) : kernel};
}

Shape Conv2D::build(const Shape& input_shape, Rng& rng) {
  LayerPlan planned = plan(input_shape);
  Tensor kernel({filters_, input_shape[0], kernel_size_, kernel_size_});
  options_.kernel_initializer.fill(kernel, rng);
  kernel_ = Variable(std::move(kernel), true);
  if (options_.use_bias) {
    Tensor bias({filters_});
    options_.bias_initializer.fill(bias, rng, kernel_.shape());
    bias_ = Variable(std::move(bias), true);
  }
  return std::move(planned.output);
}

Variable Conv2D::forward(const Variable& x, bool /*training*/) {
  Conv2dGeometry geometry{.stride = options_.stride};
  // From the batch's own height and width, which are those the layer was built for.
  if (same_)
    geometry.pads =
        same_padding(x.shape()[2], x.shape()[3], kernel_size_, kernel_size_, options_.stride);
  return apply_activation(activation_, conv2d(x, kernel_, bias_, geometry));
}

std::vector<Parameter> Conv2D::parameters() {
  std::vector<Parameter> out{{name() + "/kernel", kernel_}};
  if (bias_.defined()) out.push_back({name() + "/bias", bias_});
  return out;
}

std::vector<Variable> Conv2D::penalties() const {
  if (!options_.kernel_regularizer.active()) return {};
  return {options_.kernel_regularizer.penalty(kernel_)};
}

nlohmann::json Conv2D::config() const {
  nlohmann::json c = {{"type", type()},
                      {"filters", filters_},
                      {"kernel_size", kernel_size_},
                      {"strides", options_.stride},
                      {"padding", options_.padding},
                      {"activation", activation_name(activation_)},
                      {"use_bias", options_.use_bias},
                      {"kernel_initializer", options_.kernel_initializer.name()},
                      {"bias_initializer", options_.bias_initializer.name()}};
  if (options_.kernel_regularizer.active())
    c["kernel_regularizer"] = options_.kernel_regularizer.name();
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

}  // namespace descent
