// Activation functions, element-wise, each with its derivative beside it.
#pragma once

#include "core/variable.h"

namespace descent {

// max(x, 0); the gradient at 0 is 0, as in PyTorch.
Variable relu(const Variable& x);
// x for x > 0, slope · x otherwise; Keras's LeakyReLU default slope is 0.3, PyTorch's 0.01.
Variable leaky_relu(const Variable& x, float slope = 0.01f);
// 1 / (1 + e^-x), computed from e^-|x| so it neither overflows nor loses the tail; σ' = σ(1 - σ).
Variable sigmoid(const Variable& x);
// tanh x; tanh' = 1 - tanh².
Variable tanh(const Variable& x);
// log(1 + eˣ) (PyTorch's softplus with β = 1, without its switch to x above 20); softplus' = σ.
Variable softplus(const Variable& x);

}  // namespace descent
