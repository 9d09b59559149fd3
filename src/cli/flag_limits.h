// The largest counts the commands take (docs/cli.md). A count past these is a typo (a few zeros
// too many), and the run it asks for would take days: it is refused at once, in one line.
#pragma once

#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "core/error.h"

namespace descent::cli {

inline constexpr std::int64_t kMaxEpochs = 100'000;       // --epochs, --sweep-epochs
inline constexpr std::int64_t kMaxValleySteps = 100'000;  // valley --steps
inline constexpr std::int64_t kMaxValleyLrs = 12;         // valley --lrs: one chart panel each
inline constexpr std::int64_t kMaxIters =
    100'000;  // sharpness and find-lr --iters, tune --finder-iters
inline constexpr std::int64_t kMaxSweepPoints = 1'000;  // tune --sweep-points (as sweep --lrs)
inline constexpr std::int64_t kMaxSweepWidenings = 10;  // tune --sweep-widen: 2 runs each
inline constexpr std::int64_t kMaxSweepRungs = 5;       // tune --sweep-rungs: the last at 27x a run

inline void check_at_most(std::string_view flag, std::int64_t value, std::int64_t max) {
  if (value > max)
    throw InvalidArgument(
        fmt::format("{} must be at most {} (docs/cli.md), got {}", flag, max, value));
}

}  // namespace descent::cli
