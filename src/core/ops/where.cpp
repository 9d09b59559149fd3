#include "core/ops/where.h"

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/filled.h"

namespace descent {
namespace {

void check_mask(const Tensor& mask, const char* op) {
  for (std::int64_t i = 0; i < mask.size(); ++i) {
    const double v = mask.at(i);
    if (v != 0.0 && v != 1.0)
      throw InvalidArgument(
          fmt::format("{}: the mask holds {} at position {}; it must be 0 or 1", op, v, i));
  }
}

}  // namespace

Variable where(const Tensor& condition, const Variable& a, const Variable& b) {
  check_mask(condition, "where");
  const Shape shape =
      broadcast_shapes(condition.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  Variable y = Variable::result(shape, {a, b}, "where");
  backend_of(y.value()).index.where(condition, a.value(), b.value(), y.value());
  if (y.needs_grad())
    y.set_grad_rule(
        [condition](const Variable& self, const Variable& grad) -> std::vector<Variable> {
          const Variable a = self.input(0), b = self.input(1);
          const Variable none(detail::filled_like(grad.value(), Shape{}));
          Variable da, db;
          if (a.requires_grad()) da = sum_to(where(condition, grad, none), a.shape());
          if (b.requires_grad()) db = sum_to(where(condition, none, grad), b.shape());
          return {da, db};
        });
  return y;
}

Variable masked_fill(const Variable& x, const Tensor& mask, double value) {
  if (!broadcasts_to(mask.shape(), x.shape()))
    throw InvalidArgument(fmt::format("masked_fill: mask of shape {} does not broadcast to {}",
                                      shape_string(mask.shape()), shape_string(x.shape())));
  return where(mask, Variable(detail::filled_like(x.value(), Shape{}, value)), x);
}

Tensor lower_triangular_mask(std::int64_t rows, std::int64_t cols, std::int64_t diagonal,
                             DType dtype) {
  Tensor mask({rows, cols}, dtype);
  backend_of(mask).index.lower_triangular(diagonal, mask);
  return mask;
}

}  // namespace descent
