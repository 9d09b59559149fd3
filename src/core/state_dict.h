// StateDict: everything needed to restore an object exactly (optimizer moments, schedule
// counters, layer weights): named tensors plus a JSON document for scalars and configuration.
// Checkpoints write it as raw tensors and a JSON header.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/tensor.h"

namespace descent {

struct StateDict {
  nlohmann::json meta = nlohmann::json::object();
  std::map<std::string, Tensor> tensors;
};

}  // namespace descent
