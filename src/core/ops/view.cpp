#include "core/ops/view.h"

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/axes.h"
#include "core/ops/broadcast.h"
#include "core/ops/concat.h"
#include "core/ops/filled.h"

namespace descent {
namespace {

// x's dense values under a new shape of equal size; the gradient goes back under x's shape.
Variable with_shape(const Variable& x, const Shape& shape, const char* op) {
  Variable y = Variable::view_result(x.value().view(shape), x, op);
  if (!y.needs_grad()) return y;
  if (x.dtype() == DType::f32) {
    y.set_backward([](Node& self) {
      Node& in = *self.inputs[0];
      if (!in.requires_grad) return;
      backend_of(self.value).elementwise.accumulate(self.grad, in.grad_out());
    });
  }
  y.set_grad_rule([](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    return {reshape(grad, self.input(0).shape())};
  });
  return y;
}

}  // namespace

Variable reshape(const Variable& x, const Shape& shape) {
  Shape resolved = shape;
  std::int64_t known = 1;
  int inferred = -1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (inferred >= 0)
        throw InvalidArgument(
            fmt::format("reshape: more than one -1 in shape {}", shape_string(shape)));
      inferred = static_cast<int>(i);
    } else if (shape[i] < 0) {
      throw InvalidArgument(
          fmt::format("reshape: negative dimension in shape {}", shape_string(shape)));
    } else {
      known *= shape[i];
    }
  }
  const std::int64_t size = x.value().size();
  if (inferred >= 0) {
    if (known == 0 || size % known != 0)
      throw InvalidArgument(fmt::format("reshape: cannot reshape {} into {}",
                                        shape_string(x.shape()), shape_string(shape)));
    resolved[inferred] = size / known;
  }
  if (shape_size(resolved) != size)
    throw InvalidArgument(fmt::format("reshape: cannot reshape {} into {}", shape_string(x.shape()),
                                      shape_string(shape)));
  return with_shape(x, resolved, "reshape");
}

Variable flatten(const Variable& x) {
  if (x.value().rank() < 1) throw InvalidArgument("flatten: needs a batch dimension, got a scalar");
  const std::int64_t batch = x.shape()[0];
  std::int64_t features = 1;
  for (std::size_t i = 1; i < x.shape().size(); ++i)
    features *= x.shape()[i];
  return with_shape(x, {batch, features}, "flatten");
}

Variable permute(const Variable& x, const std::vector<int>& axes) {
  Variable y = Variable::view_result(x.stored_value().permute(axes), x, "permute");
  if (y.needs_grad()) {
    const int r = static_cast<int>(axes.size());
    std::vector<int> inverse(axes.size());
    for (int k = 0; k < r; ++k)
      inverse[static_cast<std::size_t>(axes[k] < 0 ? axes[k] + r : axes[k])] = k;
    y.set_grad_rule([inverse](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {permute(grad, inverse)};
    });
  }
  return y;
}

Variable transpose(const Variable& x, int a, int b) {
  Variable y = Variable::view_result(x.stored_value().transpose(a, b), x, "transpose");
  if (y.needs_grad())
    y.set_grad_rule([a, b](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {transpose(grad, a, b)};
    });
  return y;
}

Variable expand(const Variable& x, const Shape& shape) {
  Variable y = Variable::view_result(x.stored_value().expand(shape), x, "expand");
  if (y.needs_grad())
    y.set_grad_rule([](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      return {sum_to(grad, self.input(0).shape())};
    });
  return y;
}

Variable narrow(const Variable& x, int axis, std::int64_t start, std::int64_t length) {
  const int a = detail::normalize_axis(axis, x.shape().size(), x.shape(), "narrow");
  Variable y = Variable::view_result(x.stored_value().narrow(a, start, length), x, "narrow");
  if (y.needs_grad())
    y.set_grad_rule(
        [a, start](const Variable& self, const Variable& grad) -> std::vector<Variable> {
          // The gradient between zeros for the values before and after the range.
          const Shape& xs = self.input(0).shape();
          Shape before = xs, after = xs;
          before[a] = start;
          after[a] = xs[a] - start - grad.shape()[a];
          return {concat({Variable(detail::filled_like(grad.value(), before)), grad,
                          Variable(detail::filled_like(grad.value(), after))},
                         a)};
        });
  return y;
}

}  // namespace descent
