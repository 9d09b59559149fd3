#include "optim/schedule/check.h"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"

namespace descent::schedule_check {

void step(std::string_view schedule, std::int64_t t) {
  if (t < 0) throw InvalidArgument(fmt::format("{}: step t must be >= 0, got {}", schedule, t));
}

void positive_lr(std::string_view schedule, std::string_view field, double value) {
  if (!(std::isfinite(value) && value > 0)) {
    throw InvalidArgument(
        fmt::format("{}: {} must be a finite learning rate > 0, got {}", schedule, field, value));
  }
}

void positive(std::string_view schedule, std::string_view field, double value) {
  if (!(std::isfinite(value) && value > 0)) {
    throw InvalidArgument(fmt::format("{}: {} must be > 0, got {}", schedule, field, value));
  }
}

void non_negative(std::string_view schedule, std::string_view field, double value) {
  if (!(std::isfinite(value) && value >= 0)) {
    throw InvalidArgument(fmt::format("{}: {} must be >= 0, got {}", schedule, field, value));
  }
}

void in_range(std::string_view schedule, std::string_view field, double value, double lo, double hi,
              bool lo_open, bool hi_open) {
  const bool above = lo_open ? value > lo : value >= lo;
  const bool below = hi_open ? value < hi : value <= hi;
  if (!(above && below)) {
    throw InvalidArgument(fmt::format("{}: {} must be in {}{}, {}{}, got {}", schedule, field,
                                      lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]", value));
  }
}

void at_least(std::string_view schedule, std::string_view field, std::int64_t value,
              std::int64_t min) {
  if (value < min) {
    throw InvalidArgument(fmt::format("{}: {} must be >= {}, got {}", schedule, field, min, value));
  }
}

void increasing(std::string_view schedule, std::string_view field,
                const std::vector<std::int64_t>& values, std::int64_t min) {
  if (values.empty()) throw InvalidArgument(fmt::format("{}: {} is empty", schedule, field));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] < min || (i > 0 && values[i] <= values[i - 1])) {
      throw InvalidArgument(fmt::format("{}: {} must be strictly increasing and >= {}, got [{}]",
                                        schedule, field, min, fmt::join(values, ", ")));
    }
  }
}

}  // namespace descent::schedule_check
