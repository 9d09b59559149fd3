#include "core/ops/index.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/axes.h"

namespace descent {
namespace {

// The indices as integers, each checked to be a whole number in [0, dim).
std::vector<std::int64_t> checked_indices(const Tensor& indices, std::int64_t dim, int axis,
                                          const Shape& shape, const char* op) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(indices.size()));
  for (std::int64_t i = 0; i < indices.size(); ++i) {
    const double v = indices.at(i);
    if (!(v >= 0 && v < static_cast<double>(dim) && std::floor(v) == v))
      throw InvalidArgument(
          fmt::format("{}: index {} at position {} is not in [0, {}) for axis {} "
                      "of shape {}",
                      op, v, i, dim, axis, shape_string(shape)));
    out[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(v);
  }
  return out;
}

// A tensor of `shape` seen as (outer, size, inner) around its axes [axis, axis + count).
IndexedAxis indexed_axis(const Shape& shape, int axis, std::size_t count, std::int64_t size) {
  IndexedAxis b{.size = size};
  for (int k = 0; k < axis; ++k)
    b.outer *= shape[k];
  for (std::size_t k = static_cast<std::size_t>(axis) + count; k < shape.size(); ++k)
    b.inner *= shape[k];
  return b;
}

}  // namespace

Variable index_select(const Variable& x, const Tensor& indices, int axis) {
  const Shape& xs = x.shape();
  const int a = detail::normalize_axis(axis, xs.size(), xs, "index_select");
  const std::vector<std::int64_t> index = checked_indices(indices, xs[a], a, xs, "index_select");
  Shape shape(xs.begin(), xs.begin() + a);
  shape.insert(shape.end(), indices.shape().begin(), indices.shape().end());
  shape.insert(shape.end(), xs.begin() + a + 1, xs.end());
  const std::int64_t dim = xs[a];
  Variable y = Variable::result(shape, {x}, "index_select");
  backend_of(y.value()).index.index_select(x.value(), index, indexed_axis(xs, a, 1, dim),
                                           y.value());
  if (y.needs_grad())
    y.set_grad_rule(
        [indices, a, dim](const Variable&, const Variable& grad) -> std::vector<Variable> {
          return {scatter_add(grad, indices, a, dim)};
        });
  return y;
}

Variable scatter_add(const Variable& source, const Tensor& indices, int axis, std::int64_t size) {
  const Shape& ss = source.shape();
  const int a = detail::normalize_axis(axis, ss.size(), ss, "scatter_add");
  const Shape& is = indices.shape();
  if (a + is.size() > ss.size() || !std::equal(is.begin(), is.end(), ss.begin() + a))
    throw InvalidArgument(
        fmt::format("scatter_add: indices of shape {} do not match source of "
                    "shape {} from axis {}",
                    shape_string(is), shape_string(ss), axis));
  if (size < 0) throw InvalidArgument(fmt::format("scatter_add: negative size {}", size));
  Shape shape(ss.begin(), ss.begin() + a);
  shape.push_back(size);
  shape.insert(shape.end(), ss.begin() + a + static_cast<std::ptrdiff_t>(is.size()), ss.end());
  const std::vector<std::int64_t> index = checked_indices(indices, size, a, shape, "scatter_add");
  Variable y = Variable::result(shape, {source}, "scatter_add");
  backend_of(y.value()).index.scatter_add(source.value(), index,
                                          indexed_axis(ss, a, is.size(), size), y.value());
  if (y.needs_grad())
    y.set_grad_rule([indices, a](const Variable&, const Variable& grad) -> std::vector<Variable> {
      return {index_select(grad, indices, a)};
    });
  return y;
}

}  // namespace descent
