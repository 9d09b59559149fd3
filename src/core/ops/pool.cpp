#include "core/ops/pool.h"

#include <vector>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"

namespace descent {
namespace {

Variable pool_scatter(const Variable& x, const Variable& grad, const PoolWindow& g);

// Each pooled value's entry of v (x's shape) at its window's maximum: the adjoint of scattering.
Variable pool_gather(const Variable& x, const Variable& v, const PoolWindow& g) {
  const Shape& s = x.shape();
  Variable y = Variable::result({s[0], s[1], g.out_h, g.out_w}, {v}, "max_pool2d_gather");
  backend_of(y.value()).pool.max_pool2d_gather(g, x.value(), v.value(), y.value());
  if (y.needs_grad())
    y.set_grad_rule([x, g](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {pool_scatter(x, grad, g)};
    });
  return y;
}

// max_pool2d's gradient as an operation: each pooled gradient added onto its window's maximum.
// Linear in `grad`; x only picks the positions (its own derivative is zero almost everywhere).
Variable pool_scatter(const Variable& x, const Variable& grad, const PoolWindow& g) {
  Variable y = Variable::result(x.shape(), {grad}, "max_pool2d_scatter");
  backend_of(y.value()).pool.max_pool2d_scatter(g, x.value(), grad.value(), y.value());
  if (y.needs_grad())
    y.set_grad_rule([x, g](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {pool_gather(x, grad, g)};
    });
  return y;
}

// The windows of pooling x, checked; `op` names the operation in the messages.
PoolWindow pool_window(const char* op, const Shape& s, int size, int stride) {
  if (stride <= 0) stride = size;
  if (s.size() != 4)
    throw InvalidArgument(fmt::format(
        "{}: input must be (batch, channels, height, width), got shape {}", op, shape_string(s)));
  if (size < 1) throw InvalidArgument(fmt::format("{}: size must be >= 1, got {}", op, size));
  if (s[2] < size || s[3] < size)
    throw InvalidArgument(
        fmt::format("{}: window {}x{} does not fit input {}", op, size, size, shape_string(s)));
  return {s[0] * s[1], s[2],  s[3], (s[2] - size) / stride + 1, (s[3] - size) / stride + 1,
          size,        stride};
}

Variable avg_pool_spread(const Shape& x_shape, const Variable& grad, const PoolWindow& g);

Variable avg_pool(const Variable& x, const PoolWindow& g) {
  const Shape& s = x.shape();
  Variable y = Variable::result({s[0], s[1], g.out_h, g.out_w}, {x}, "avg_pool2d");
  backend_of(y.value()).pool.avg_pool2d(g, x.value(), y.value());
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32)
    y.set_backward([g](Node& self) {
      Node& in = *self.inputs[0];
      if (in.requires_grad)
        backend_of(self.value).pool.avg_pool2d_grad(g, self.grad, in.grad_out());
    });
  y.set_grad_rule([shape = s, g](const Variable&, const Variable& grad) -> std::vector<Variable> {
    return {avg_pool_spread(shape, grad, g)};
  });
  return y;
}

// avg_pool2d's gradient as an operation: each pooled gradient shared by its window. It is the
// adjoint of the (linear) pooling, so its own gradient is the pooling.
Variable avg_pool_spread(const Shape& x_shape, const Variable& grad, const PoolWindow& g) {
  Variable y = Variable::result(x_shape, {grad}, "avg_pool2d_spread");
  backend_of(y.value()).pool.avg_pool2d_grad(g, grad.value(), GradOut{y.value()});
  if (y.needs_grad())
    y.set_grad_rule([g](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {avg_pool(grad, g)};
    });
  return y;
}

}  // namespace

Variable max_pool2d(const Variable& x, int size, int stride) {
  const PoolWindow g = pool_window("max_pool2d", x.shape(), size, stride);
  const Shape& s = x.shape();
  Variable y = Variable::result({s[0], s[1], g.out_h, g.out_w}, {x}, "max_pool2d");
  backend_of(y.value()).pool.max_pool2d(g, x.value(), y.value());
  if (!y.needs_grad()) return y;
  if (y.dtype() == DType::f32)
    y.set_backward([g](Node& self) {
      Node& in = *self.inputs[0];
      if (in.requires_grad)
        backend_of(self.value).pool.max_pool2d_grad(g, in.value, self.grad, in.grad_out());
    });
  y.set_grad_rule([g](const Variable& self, const Variable& grad) -> std::vector<Variable> {
    // x enters as a constant: it only says where the maxima are.
    const Variable x = self.input(0);
    return {pool_scatter(Variable(x.value()), grad, g)};
  });
  return y;
}

Variable avg_pool2d(const Variable& x, int size, int stride) {
  return avg_pool(x, pool_window("avg_pool2d", x.shape(), size, stride));
}

}  // namespace descent
