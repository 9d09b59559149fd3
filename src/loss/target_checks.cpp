#include "loss/target_checks.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

void check_predictions(const char* who, const Shape& y_pred) {
  if (y_pred.empty() || shape_size(y_pred) == 0)
    throw InvalidArgument(
        fmt::format("{}: predictions of shape {} hold no values", who, shape_string(y_pred)));
}

void check_class_scores(const char* who, const Shape& y_pred) {
  if (y_pred.size() != 2 || y_pred[0] == 0 || y_pred[1] == 0)
    throw InvalidArgument(fmt::format("{}: predictions must have shape (batch, classes), got {}",
                                      who, shape_string(y_pred)));
}

Shape class_rows(const char* who, const Shape& y_pred, const Tensor& y_true) {
  if (y_pred.size() <= 2) return y_pred;
  const Shape positions(y_pred.begin(), y_pred.end() - 1);
  if (y_true.shape() != positions)
    throw InvalidArgument(fmt::format(
        "{}: labels of shape {} for predictions of shape {} (expected {}, a label per position)",
        who, shape_string(y_true.shape()), shape_string(y_pred), shape_string(positions)));
  return {shape_size(positions), y_pred.back()};
}

void check_same_size(const char* who, const Shape& y_pred, const Tensor& y_true) {
  check_predictions(who, y_pred);
  if (y_true.rank() == 0 || y_true.dim(0) != y_pred[0] || y_true.size() != shape_size(y_pred))
    throw InvalidArgument(fmt::format("{}: targets of shape {} for predictions of shape {}", who,
                                      shape_string(y_true.shape()), shape_string(y_pred)));
}

void check_unit_interval(const char* who, const Tensor& y_true) {
  for (std::int64_t i = 0; i < y_true.size(); ++i)
    if (!(y_true[i] >= 0.0f && y_true[i] <= 1.0f))
      throw DataError(
          fmt::format("{}: target {} at index {} is outside [0, 1]", who, y_true[i], i));
}

}  // namespace descent
