#include "core/ops/where.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/ops/broadcast.h"
#include "core/ops/broadcast_loop.h"

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
  const detail::OperandStrides<3> strides{broadcast_strides(condition.shape(), shape),
                                          broadcast_strides(a.shape(), shape),
                                          broadcast_strides(b.shape(), shape)};
  visit_dtype(y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* yv = y.value().data<T>();
    const T* av = a.value().data<T>();
    const T* bv = b.value().data<T>();
    visit_dtype(condition.dtype(), [&](auto mask_zero) {
      using M = decltype(mask_zero);
      const M* cv = condition.data<M>();
      detail::for_each_broadcast_element(
          shape, strides, [=](std::int64_t i, const std::array<std::int64_t, 3>& at) {
            yv[i] = cv[at[0]] != M{0} ? av[at[1]] : bv[at[2]];
          });
    });
  });
  if (y.needs_grad())
    y.set_grad_rule(
        [condition](const Variable& self, const Variable& grad) -> std::vector<Variable> {
          const Variable a = self.input(0), b = self.input(1);
          const Variable none(Tensor(Shape{}, grad.dtype()));
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
  return where(mask, Variable(Tensor(Shape{}, x.dtype(), value)), x);
}

Tensor lower_triangular_mask(std::int64_t rows, std::int64_t cols, std::int64_t diagonal,
                             DType dtype) {
  Tensor mask({rows, cols}, dtype);
  visit_dtype(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* m = mask.data<T>();
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c)
        m[r * cols + c] = c <= r + diagonal ? T{1} : T{0};
  });
  return mask;
}

}  // namespace descent
