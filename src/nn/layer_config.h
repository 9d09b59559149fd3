// Builds a layer from its JSON description (the model format of docs/model-format.md), rejecting
// unknown types, unknown keys and values of the wrong type with one clear line.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "nn/layer.h"

namespace descent {

std::unique_ptr<Layer> layer_from_config(const nlohmann::json& config);
// A fresh, unbuilt layer with `layer`'s settings (its config describes it fully) and name.
std::unique_ptr<Layer> unbuilt_copy(const Layer& layer);

}  // namespace descent
