#include "core/ops/broadcast.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

// Calls f(i, j) for every element i of a tensor of shape `big`, j the element of the tensor of
// shape `small` (which broadcasts to `big`) that it repeats. Row-major, in order.
template <class F>
void for_each_broadcast_pair(const Shape& big, const Shape& small, F f) {
  const std::size_t rank = big.size();
  const std::vector<std::int64_t> stride = broadcast_strides(small, big);
  const std::int64_t total = shape_size(big);
  if (total == 0) return;
  std::vector<std::int64_t> index(rank, 0);
  std::int64_t j = 0;
  for (std::int64_t i = 0; i < total; ++i) {
    f(i, j);
    for (std::size_t axis = rank; axis-- > 0;) {  // odometer: the last axis moves fastest
      j += stride[axis];
      if (++index[axis] < big[axis]) break;
      j -= stride[axis] * big[axis];
      index[axis] = 0;
    }
  }
}

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
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.value().data<T>();
    T* out = y.value().data<T>();
    for_each_broadcast_pair(shape, x.shape(),
                            [&](std::int64_t i, std::int64_t j) { out[i] = in[j]; });
  });
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
  visit_dtype(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> total(static_cast<std::size_t>(shape_size(shape)), 0.0);
    const T* in = x.value().data<T>();
    for_each_broadcast_pair(x.shape(), shape, [&](std::int64_t i, std::int64_t j) {
      total[static_cast<std::size_t>(j)] += in[i];
    });
    T* out = y.value().data<T>();
    for (std::size_t j = 0; j < total.size(); ++j)
      out[j] = static_cast<T>(total[j]);
  });
  if (y.needs_grad())
    y.set_grad_rule([](const Variable& self, const Variable& grad) -> std::vector<Variable> {
      return {broadcast_to(grad, self.input(0).shape())};
    });
  return y;
}

}  // namespace descent
