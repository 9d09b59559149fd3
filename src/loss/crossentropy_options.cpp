#include "loss/crossentropy_options.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

float checked_label_smoothing(const char* loss, const CrossentropyOptions& options) {
  if (!(options.label_smoothing >= 0.0f && options.label_smoothing <= 1.0f))
    throw InvalidArgument(fmt::format("{}: label_smoothing must be in [0, 1], got {}", loss,
                                      options.label_smoothing));
  return options.label_smoothing;
}

}  // namespace descent
