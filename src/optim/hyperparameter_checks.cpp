#include "optim/hyperparameter_checks.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

void check_learning_rate(std::string_view optimizer, double lr) {
  if (!(std::isfinite(lr) && lr > 0))
    throw InvalidArgument(
        fmt::format("{}: learning rate must be finite and > 0, got {}", optimizer, lr));
}

void check_non_negative(std::string_view optimizer, std::string_view key, double value) {
  if (!(std::isfinite(value) && value >= 0))
    throw InvalidArgument(
        fmt::format("{}: {} must be finite and >= 0, got {}", optimizer, key, value));
}

void check_positive(std::string_view optimizer, std::string_view key, double value) {
  if (!(std::isfinite(value) && value > 0))
    throw InvalidArgument(
        fmt::format("{}: {} must be finite and > 0, got {}", optimizer, key, value));
}

void check_unit_interval(std::string_view optimizer, std::string_view key, double value) {
  if (!(value >= 0 && value < 1))
    throw InvalidArgument(fmt::format("{}: {} must be in [0, 1), got {}", optimizer, key, value));
}

}  // namespace descent
