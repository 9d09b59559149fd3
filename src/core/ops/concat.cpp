#include "core/ops/concat.h"

#include <fmt/format.h>

#include "core/backend/backend.h"
#include "core/error.h"
#include "core/ops/axes.h"
#include "core/ops/view.h"

namespace descent {
namespace {

// Values before `axis` (rows) and from it on, per unit of the axis (the run a slice copies).
std::int64_t outer_size(const Shape& shape, int axis) {
  std::int64_t outer = 1;
  for (int k = 0; k < axis; ++k)
    outer *= shape[k];
  return outer;
}

std::int64_t inner_size(const Shape& shape, int axis) {
  std::int64_t inner = 1;
  for (std::size_t k = static_cast<std::size_t>(axis) + 1; k < shape.size(); ++k)
    inner *= shape[k];
  return inner;
}

}  // namespace

Variable concat(const std::vector<Variable>& inputs, int axis) {
  if (inputs.empty()) throw InvalidArgument("concat: no inputs");
  const Shape& first = inputs[0].shape();
  const int a = detail::normalize_axis(axis, first.size(), first, "concat");
  Shape shape = first;
  shape[a] = 0;
  for (const Variable& input : inputs) {
    const Shape& s = input.shape();
    bool fits = s.size() == first.size();
    for (std::size_t k = 0; fits && k < s.size(); ++k)
      fits = static_cast<int>(k) == a || s[k] == first[k];
    if (!fits)
      throw InvalidArgument(fmt::format("concat: shapes {} and {} differ outside axis {}",
                                        shape_string(first), shape_string(s), axis));
    shape[a] += s[a];
  }
  Variable y = Variable::result(shape, inputs, "concat");
  const std::int64_t outer = outer_size(shape, a), inner = inner_size(shape, a);
  const CopyKernels& kernels = backend_of(y.value()).copy;
  std::int64_t offset = 0;
  for (const Variable& input : inputs) {
    const std::int64_t count = input.shape()[a] * inner;
    kernels.copy_rows(input.value(), {0, count}, y.value(), {offset, shape[a] * inner}, outer,
                      count);
    offset += count;
  }
  if (y.needs_grad())
    y.set_grad_rule([a](const Variable& self, const Variable& grad) {
      std::vector<Variable> grads;
      std::int64_t start = 0;
      for (std::size_t i = 0; i < self.node()->inputs.size(); ++i) {
        const Variable input = self.input(i);
        const std::int64_t length = input.shape()[a];
        grads.push_back(input.requires_grad() ? narrow(grad, a, start, length) : Variable());
        start += length;
      }
      return grads;
    });
  return y;
}

std::vector<Variable> split(const Variable& x, const std::vector<std::int64_t>& sizes, int axis) {
  const int a = detail::normalize_axis(axis, x.shape().size(), x.shape(), "split");
  std::int64_t total = 0;
  for (std::int64_t size : sizes) {
    if (size < 0) throw InvalidArgument(fmt::format("split: negative size {}", size));
    total += size;
  }
  if (total != x.shape()[a])
    throw InvalidArgument(fmt::format("split: sizes add up to {}, axis {} of shape {} holds {}",
                                      total, axis, shape_string(x.shape()), x.shape()[a]));
  std::vector<Variable> pieces;
  std::int64_t start = 0;
  for (std::int64_t size : sizes) {
    pieces.push_back(narrow(x, a, start, size));
    start += size;
  }
  return pieces;
}

Variable stack(const std::vector<Variable>& inputs, int axis) {
  if (inputs.empty()) throw InvalidArgument("stack: no inputs");
  const Shape& first = inputs[0].shape();
  const int a = detail::normalize_axis(axis, first.size() + 1, first, "stack");
  std::vector<Variable> expanded;
  for (const Variable& input : inputs) {
    if (input.shape() != first)
      throw InvalidArgument(fmt::format("stack: shapes {} and {} differ", shape_string(first),
                                        shape_string(input.shape())));
    Shape shape = first;
    shape.insert(shape.begin() + a, 1);
    expanded.push_back(reshape(input, shape));
  }
  return concat(expanded, a);
}

}  // namespace descent
