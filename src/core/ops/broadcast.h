// NumPy broadcasting as two operations that are each other's adjoint: broadcast_to repeats a value
// along the axes where its shape has 1 (or lacks the axis: shapes are aligned on the right), and
// sum_to adds a value up over those same axes. The gradient of one is the other. The backward rules
// of the element-wise, reduction and softmax operations are written with them.
#pragma once

#include <cstdint>
#include <vector>

#include "core/variable.h"

namespace descent {

// True when `from` broadcasts to `to`: aligned on the right, each axis of `from` is 1 or equal.
bool broadcasts_to(const Shape& from, const Shape& to);
// The shape that a and b both broadcast to (NumPy's rule); InvalidArgument naming `op` and both
// shapes when there is none.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// The stride of a contiguous tensor of shape `from` along each axis of `to` (which `from`
// broadcasts to): 0 along the axes where it is repeated.
std::vector<std::int64_t> broadcast_strides(const Shape& from, const Shape& to);

// x repeated to `shape` (broadcasts_to(x.shape(), shape), else InvalidArgument).
Variable broadcast_to(const Variable& x, const Shape& shape);
// x summed to `shape` (broadcasts_to(shape, x.shape()), else InvalidArgument), in a fixed order.
Variable sum_to(const Variable& x, const Shape& shape);

}  // namespace descent
