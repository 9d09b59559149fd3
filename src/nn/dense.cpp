#include "nn/dense.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {

Dense::Dense(std::int64_t units, DenseOptions options)
    : units_(units),
      options_(std::move(options)),
      activation_(parse_activation(options_.activation)) {
  if (units_ <= 0) throw InvalidArgument(fmt::format("Dense: units must be > 0, got {}", units_));
  if (!options_.input_shape.empty()) input_shape_ = options_.input_shape;
}

LayerPlan Dense::plan(const Shape& input_shape) const {
  if (input_shape.size() != 1)
    throw InvalidArgument(
        fmt::format("Dense expects flat inputs, got shape {} (add a Flatten layer)",
                    shape_string(input_shape)));
  const double weights = double(input_shape[0]) * double(units_);
  return {{units_}, options_.use_bias ? weights + double(units_) : weights};
}

Shape Dense::build(const Shape& input_shape, Rng& rng) {
  plan(input_shape);
  Tensor kernel({input_shape[0], units_});
  options_.kernel_initializer.fill(kernel, rng);
  kernel_ = Variable(std::move(kernel), true);
  if (options_.use_bias) {
    Tensor bias({units_});
    options_.bias_initializer.fill(bias, rng, kernel_.shape());
    bias_ = Variable(std::move(bias), true);
  }
  return {units_};
}

Variable Dense::forward(const Variable& x, bool /*training*/) {
  if (x.shape().size() != 2 || x.shape()[1] != kernel_.shape()[0])
    throw InvalidArgument(fmt::format("{}: expected inputs of width {}, got shape {}", name(),
                                      kernel_.shape()[0], shape_string(x.shape())));
  return apply_activation(activation_, dense(x, kernel_, bias_));
}

std::vector<Parameter> Dense::parameters() {
  std::vector<Parameter> out{{name() + "/kernel", kernel_}};
  if (bias_.defined()) out.push_back({name() + "/bias", bias_});
  return out;
}

std::vector<Variable> Dense::penalties() const {
  std::vector<Variable> terms;
  if (options_.kernel_regularizer.active())
    terms.push_back(options_.kernel_regularizer.penalty(kernel_));
  if (bias_.defined() && options_.bias_regularizer.active())
    terms.push_back(options_.bias_regularizer.penalty(bias_));
  return terms;
}

nlohmann::json Dense::config() const {
  nlohmann::json c = {{"type", type()},
                      {"units", units_},
                      {"activation", activation_name(activation_)},
                      {"use_bias", options_.use_bias},
                      {"kernel_initializer", options_.kernel_initializer.name()},
                      {"bias_initializer", options_.bias_initializer.name()}};
  if (options_.kernel_regularizer.active())
    c["kernel_regularizer"] = options_.kernel_regularizer.name();
  if (options_.bias_regularizer.active()) c["bias_regularizer"] = options_.bias_regularizer.name();
  if (input_shape_) c["input_shape"] = *input_shape_;
  return c;
}

}  // namespace descent
