#include "nn/activation.h"

#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops.h"

namespace descent {
namespace {

constexpr std::pair<Activation, std::string_view> kActivationNames[] = {
    {Activation::linear, "linear"},
    {Activation::relu, "relu"},
    {Activation::leaky_relu, "leaky_relu"},
    {Activation::sigmoid, "sigmoid"},
    {Activation::tanh, "tanh"},
    {Activation::softmax, "softmax"},
    {Activation::softplus, "softplus"},
    {Activation::gelu, "gelu"},
    {Activation::gelu_tanh, "gelu_tanh"},
    {Activation::silu, "silu"},
};

}  // namespace

Activation parse_activation(std::string_view name) {
  if (name.empty() || name == "none") return Activation::linear;
  if (name == "swish") return Activation::silu;
  for (const auto& [activation, known] : kActivationNames)
    if (name == known) return activation;
  throw InvalidArgument(
      fmt::format("unknown activation '{}' (known: linear, relu, leaky_relu, sigmoid, tanh, "
                  "softmax, softplus, gelu, gelu_tanh, silu, swish)",
                  name));
}

std::string activation_name(Activation activation) {
  for (const auto& [a, known] : kActivationNames)
    if (a == activation) return std::string(known);
  return "linear";
}

Variable apply_activation(Activation activation, const Variable& x) {
  switch (activation) {
    case Activation::linear:
      return x;
    case Activation::relu:
      return relu(x);
    case Activation::leaky_relu:
      return leaky_relu(x, 0.3f);  // Keras's default slope
    case Activation::sigmoid:
      return sigmoid(x);
    case Activation::tanh:
      return tanh(x);
    case Activation::softmax:
      return softmax(x);
    case Activation::softplus:
      return softplus(x);
    case Activation::gelu:
      return gelu(x);
    case Activation::gelu_tanh:
      return gelu(x, GeluApproximation::tanh);
    case Activation::silu:
      return silu(x);
  }
  return x;
}

}  // namespace descent
