// Activation functions, element-wise, each with its derivative beside it.
#pragma once

#include <cstdint>

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

enum class GeluApproximation : std::uint8_t { none, tanh };
// x Φ(x) with Φ the standard normal CDF (Hendrycks & Gimpel, "Gaussian Error Linear Units", 2016),
// or with `tanh` its approximation 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))), as PyTorch's gelu
// with approximate='none' / 'tanh' and Keras's gelu(approximate=False / True).
Variable gelu(const Variable& x, GeluApproximation approximate = GeluApproximation::none);
// x σ(x) (Keras's swish, PyTorch's silu); silu' = σ (1 + x (1 − σ)).
Variable silu(const Variable& x);

}  // namespace descent
