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
  if (input_shape.empty())
    throw InvalidArgument("Dense expects inputs with at least one axis (features)");
  const double weights = double(input_shape.back()) * double(units_);
  Shape output = input_shape;
  output.back() = units_;
  return {output, options_.use_bias ? weights + double(units_) : weights};
}

Shape Dense::build(const Shape& input_shape, Rng& rng) {
  const LayerPlan p = plan(input_shape);
  Tensor kernel({input_shape.back(), units_});
  options_.kernel_initializer.fill(kernel, rng);
  kernel_ = Variable(std::move(kernel), true);
  if (options_.use_bias) {
    Tensor bias({units_});
    options_.bias_initializer.fill(bias, rng, kernel_.shape());
    bias_ = Variable(std::move(bias), true);
  }
  return p.output;
}

Variable Dense::forward(const Variable& x, bool /*training*/) {
  const Shape& s = x.shape();
  if (s.size() < 2 || s.back() != kernel_.shape()[0])
    throw InvalidArgument(fmt::format("{}: expected inputs of width {}, got shape {}", name(),
                                      kernel_.shape()[0], shape_string(s)));
  if (s.size() == 2) return apply_activation(activation_, dense(x, kernel_, bias_));
  // Over the last axis, as Keras's Dense: every position's features are one row of a product.
  Shape out = s;
  out.back() = units_;
  const Variable rows = reshape(x, {-1, s.back()});
  return reshape(apply_activation(activation_, dense(rows, kernel_, bias_)), out);
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
