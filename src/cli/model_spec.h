// The network a command trains, from its --model text, as the model JSON of docs/model-format.md:
//   linear           one Dense layer to the outputs
//   mlp:256,128      Dense+ReLU hidden layers of those widths, then the outputs
//   cnn              conv 32 3×3 ReLU, max-pool 2, conv 64 3×3 ReLU, max-pool 2, dense 128 ReLU,
//                    then the outputs (images of shape (channels, height, width))
//   resnet:16,32,64  a small residual CNN with BatchNormalization, a stage per width, for images
//                    (cli/resnet_model.h; resnet alone is resnet:16,32,64, :blocks=N per stage)
//   FILE.json        a model file: a Sequential list of layers or a functional graph
// Shorthand models end in a linear layer (logits); the loss then works from logits. Their weights
// are drawn as PyTorch draws them by default (torch_uniform), for comparisons at equal settings.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "data/dataset.h"

namespace descent::cli {

// The model JSON for `spec` on inputs of `sample_shape` with `outputs` output units.
nlohmann::json model_config(const std::string& spec, const Shape& sample_shape,
                            std::int64_t outputs);
// True when the model's last layer has no activation (its outputs are logits).
bool outputs_logits(const nlohmann::json& config);

}  // namespace descent::cli
