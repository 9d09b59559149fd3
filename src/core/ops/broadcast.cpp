#include "core/ops/broadcast.h"

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"

namespace descent {
namespace {

void check(const Shape& from, const Shape& to, const char* op) {
  if (!broadcasts_to(from, to))
    throw InvalidArgument(fmt::format("{}: shape {} does not broadcast to {}", op,
                                      shape_string(from), shape_string(to)));
}

}  // namespace

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t offset = to.size() - from.size();
  for (std::size_t k = 0; k < from.size(); ++k)
    if (from[k] != 1 && from[k] != to[offset + k]) return false;
  return true;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const Shape& longer = a.size() >= b.size() ? a : b;
  const Shape& shorter = a.size() >= b.size() ? b : a;
  Shape shape = longer;
  const std::size_t offset = longer.size() - shorter.size();
  for (std::size_t k = 0; k < shorter.size(); ++k) {
    std::int64_t& d = shape[offset + k];
    if (d == 1)
      d = shorter[k];
    else if (shorter[k] != 1 && shorter[k] != d)
      throw InvalidArgument(fmt::format("{}: shapes {} and {} do not broadcast", op,
                                        shape_string(a), shape_string(b)));
  }
  return shape;
}

std::vector<std::int64_t> broadcast_strides(const Shape& from, const Shape& to) {
  const std::size_t offset = to.size() - from.size();
  std::vector<std::int64_t> stride(to.size(), 0);
  std::int64_t step = 1;
  for (std::size_t k = from.size(); k-- > 0;) {
    if (from[k] != 1) stride[offset + k] = step;
    step *= from[k];
  }
  return stride;
}

Variable broadcast_to(const Variable& x, const Shape& shape) {
  check(x.shape(), shape, "broadcast_to");
  if (x.shape() == shape) return x;
  Variable y = Variable::result(shape, {x}, "broadcast_to");
  backend_of(y.value()).reduce.broadcast_to(x.value(), y.value());
  if (y.needs_grad())
    y.set_grad_rule([](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      return {sum_to(grad, self.input(0).shape())};
    });
  return y;
}

Variable sum_to(const Variable& x, const Shape& shape) {
  check(shape, x.shape(), "sum_to");
  if (x.shape() == shape) return x;
  Variable y = Variable::result(shape, {x}, "sum_to");
  backend_of(y.value()).reduce.sum_to(x.value(), y.value());
  if (y.needs_grad())
    y.set_grad_rule([](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      return {broadcast_to(grad, self.input(0).shape())};
    });
  return y;
}

}  // namespace descent
