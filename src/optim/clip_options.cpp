#include "optim/clip_options.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

void check_limit(const std::optional<double>& limit, std::string_view key,
                 std::string_view optimizer) {
  if (limit && !(std::isfinite(*limit) && *limit > 0))
    throw InvalidArgument(
        fmt::format("{}: {} must be finite and > 0, got {}", optimizer, key, *limit));
}

}  // namespace

void validate(const ClipOptions& clip, std::string_view optimizer) {
  check_limit(clip.clipnorm, "clipnorm", optimizer);
  check_limit(clip.clipvalue, "clipvalue", optimizer);
  check_limit(clip.global_clipnorm, "global_clipnorm", optimizer);
  if (clip.clipnorm && clip.global_clipnorm)
    throw InvalidArgument(
        fmt::format("{}: set at most one of clipnorm and global_clipnorm", optimizer));
}

}  // namespace descent
