// Convention: which framework's formulas an optimizer follows where PyTorch and Keras differ
// (epsilon inside or outside the square root, the learning rate inside or outside a momentum
// buffer, coupled or decoupled weight decay). docs/optimizers.md lists every difference.
#pragma once

#include <string_view>

namespace descent {

enum class Convention {
  pytorch,  // torch.optim 1.13 (the default)
  keras,    // keras.optimizers (Keras 2.11+ / Keras 3)
};

// "pytorch" / "keras".
constexpr std::string_view to_string(Convention convention) {
  return convention == Convention::keras ? "keras" : "pytorch";
}

}  // namespace descent
