// Activation functions by name, resolved once when a layer is built (never per step).
#pragma once

#include <string>
#include <string_view>

#include "core/variable.h"

namespace descent {

enum class Activation {
  linear,
  relu,
  leaky_relu,
  sigmoid,
  tanh,
  softmax,
  softplus,
  gelu,
  gelu_tanh,
  silu
};

// Keras names: "linear" (or ""/"none"), "relu", "leaky_relu", "sigmoid", "tanh", "softmax",
// "softplus", "gelu" (exact, Keras's default approximate=False), "silu" (or Keras's older "swish");
// "gelu_tanh" is GELU's tanh approximation, named as PyTorch's approximate='tanh'.
Activation parse_activation(std::string_view name);
std::string activation_name(Activation activation);
Variable apply_activation(Activation activation, const Variable& x);

}  // namespace descent
