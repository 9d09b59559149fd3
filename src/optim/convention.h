// Convention: which framework's formulas an optimizer follows where PyTorch and Keras differ
// (epsilon inside or outside the square root, the learning rate inside or outside a momentum
// buffer, coupled or decoupled weight decay). docs/optimizers.md lists every difference.
#pragma once

#include <array>

#include "core/options_reader.h"

namespace descent {

enum class Convention {
  pytorch,  // torch.optim 1.13 (the default)
  keras,    // keras.optimizers (Keras 2.11+ / Keras 3)
};

// As options and config() spell it: "pytorch" / "keras".
constexpr auto enum_names(Convention) {
  return std::array{EnumName<Convention>{"pytorch", Convention::pytorch},
                    EnumName<Convention>{"keras", Convention::keras}};
}

}  // namespace descent
