// A model's weights and optimizer state as bytes: equal bytes mean bitwise-identical training, the
// test of every exact-resume guarantee.
#pragma once

#include <string>

#include "train/model.h"

namespace descent::testing {

inline std::string training_fingerprint(Model& model) {
  std::string bytes;
  for (const StateDict& state : {model.weights(), model.optimizer().state_dict()}) {
    for (const auto& [name, tensor] : state.tensors)
      bytes.append(name).append(reinterpret_cast<const char*>(tensor.data()),
                                tensor.size() * sizeof(float));
    bytes.append(state.meta.dump());
  }
  return bytes;
}

}  // namespace descent::testing
