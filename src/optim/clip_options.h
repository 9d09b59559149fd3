// ClipOptions: gradient clipping applied by every optimizer before its update rule, with the
// Keras option names. Each limit is off when empty.
//   clipnorm        per tensor: g <- g * clipnorm / ||g||_2 when ||g||_2 > clipnorm (Keras).
//   global_clipnorm over all parameters stepped together, with PyTorch's clip_grad_norm_ rule:
//                   n = sqrt(sum_i ||g_i||^2); g <- g * max_norm / (n + 1e-6) when that factor < 1.
//   clipvalue       element-wise: g <- clamp(g, -clipvalue, clipvalue).
// Order: clipnorm or global_clipnorm (at most one of the two, as Keras requires), then clipvalue.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace descent {

struct ClipOptions {
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;
};

// Throws InvalidArgument (naming `optimizer`) unless every limit that is set is finite and > 0
// and at most one of clipnorm / global_clipnorm is set.
void validate(const ClipOptions& clip, std::string_view optimizer);
// Adds the limits that are set to `config` under their option names.
void add_to_config(const ClipOptions& clip, nlohmann::json& config);

}  // namespace descent
