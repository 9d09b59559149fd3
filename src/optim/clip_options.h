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
#include <tuple>

#include "core/options_reader.h"

namespace descent {

struct ClipOptions {
  std::optional<double> clipnorm = std::nullopt;
  std::optional<double> clipvalue = std::nullopt;
  std::optional<double> global_clipnorm = std::nullopt;

  // Limits not set are left out of config() (not written as null): configs saved in run
  // directories and checkpoints have never had such keys.
  static constexpr auto fields() {
    return std::tuple{
        field("clipnorm", &ClipOptions::clipnorm, Presence::omitted_when_empty),
        field("clipvalue", &ClipOptions::clipvalue, Presence::omitted_when_empty),
        field("global_clipnorm", &ClipOptions::global_clipnorm, Presence::omitted_when_empty)};
  }
};

// Throws InvalidArgument (naming `optimizer`) unless every limit that is set is finite and > 0
// and at most one of clipnorm / global_clipnorm is set.
void validate(const ClipOptions& clip, std::string_view optimizer);

}  // namespace descent
