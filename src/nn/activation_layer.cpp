#include "nn/activation_layer.h"

namespace descent {

ActivationLayer::ActivationLayer(std::string_view activation)
    : activation_(parse_activation(activation)) {}

nlohmann::json ActivationLayer::config() const {
  return {{"type", type()}, {"activation", activation_name(activation_)}};
}

}  // namespace descent
