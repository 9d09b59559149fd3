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

}  // namespace

Variable max_pool2d(const Variable& x, int size, int stride) {
  if (stride <= 0) stride = size;
  const Shape& s = x.shape();
  if (s.size() != 4)
    throw InvalidArgument(
        fmt::format("max_pool2d: input must be (batch, channels, height, width), got shape {}",
                    shape_string(s)));
  if (size < 1) throw InvalidArgument(fmt::format("max_pool2d: size must be >= 1, got {}", size));
  if (s[2] < size || s[3] < size)
    throw InvalidArgument(
        fmt::format("max_pool2d: window {}x{} does not fit input {}", size, size, shape_string(s)));
  const PoolWindow g{
      s[0] * s[1], s[2],  s[3], (s[2] - size) / stride + 1, (s[3] - size) / stride + 1,
      size,        stride};
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

}  // namespace descent
