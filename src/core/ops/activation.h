// Activation functions, element-wise.
#pragma once

#include "core/variable.h"

namespace descent {

Variable relu(const Variable& x);
// max(x, slope * x); Keras's LeakyReLU default slope is 0.3, PyTorch's 0.01.
Variable leaky_relu(const Variable& x, float slope = 0.01f);
Variable sigmoid(const Variable& x);
Variable tanh(const Variable& x);

}  // namespace descent
