// Activation functions by name, resolved once when a layer is built (never per step).
#pragma once

#include <string>
#include <string_view>

#include "core/variable.h"

namespace descent {

enum class Activation { linear, relu, leaky_relu, sigmoid, tanh, softmax };

// Keras names: "linear" (or ""/"none"), "relu", "leaky_relu", "sigmoid", "tanh", "softmax".
Activation parse_activation(std::string_view name);
std::string activation_name(Activation activation);
Variable apply_activation(Activation activation, const Variable& x);

}  // namespace descent
