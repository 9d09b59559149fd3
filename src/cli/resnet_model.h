// The `--model resnet` shorthand: a small residual CNN for images (channels, height, width), as
// the model JSON of a functional graph (docs/model-format.md):
//   stem      conv 3×3 (widths[0]) → BatchNormalization → ReLU
//   stages    one per width; each of `blocks` basic blocks, the first block of every stage after
//             the first with stride 2:
//               conv 3×3 (stride) → BN → ReLU → conv 3×3 → BN, plus the shortcut (the input, or a
//               1×1 conv with that stride → BN where the shape changes), added, then ReLU
//   head      GlobalAveragePooling2D → Dense to the outputs (logits)
// Convolutions have no bias (BatchNormalization's β follows each) and pad "same". Spec texts:
//   resnet                     resnet:16,32,64 (ResNet-14: two blocks a stage)
//   resnet:W1,W2,...           those stage widths, two blocks each
//   resnet:W1,W2,...:blocks=N  N blocks per stage
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/tensor.h"

namespace descent::cli {

// True for the spec texts above ("resnet" and "resnet:...").
bool is_resnet_spec(const std::string& spec);
// The model JSON for `spec` on images of `sample_shape` with `outputs` output units. Throws
// InvalidArgument for a malformed spec or inputs that are not images.
nlohmann::json resnet_config(const std::string& spec, const Shape& sample_shape,
                             std::int64_t outputs);

}  // namespace descent::cli
