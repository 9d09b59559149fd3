// The size of a model described by its JSON config (docs/model-format.md), worked out layer by
// layer without building it: the memory estimate is made from it before any weight is allocated.
#pragma once

#include <nlohmann/json.hpp>

#include "core/tensor.h"

namespace descent {

struct ModelPlan {
  Shape input;             // one sample, without the batch axis
  double weights = 0;      // trainable values
  double activations = 0;  // values one sample produces: every layer's output and intermediates
};

// A Sequential config needs an input shape (its own "input_shape" or its first layer's); a
// functional one has its inputs' (the plan's input is the first's). Throws InvalidArgument for a
// layer, connection or shape that building the model would reject.
ModelPlan plan_model(const nlohmann::json& config);

}  // namespace descent
