#include "core/ops/shape.h"

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"

namespace descent {
namespace {

// A copy of x's values (one row of them all) under a new shape; the gradient is copied back
// under x's shape.
Variable with_shape(const Variable& x, const Shape& shape, const char* op) {
  Variable y = Variable::result(shape, {x}, op);
  const std::int64_t size = x.value().size();
  backend_of(y.value()).copy.copy_rows(x.value(), {}, y.value(), {}, 1, size);
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

}  // namespace descent
