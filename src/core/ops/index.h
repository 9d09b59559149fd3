// Picking slices by index, and its adjoint: the embedding lookup and its gradient.
//
// Indices come as a Tensor (float32 or float64, as labels do) of whole numbers; they take no
// gradient. An index that is not a whole number in [0, dim) throws InvalidArgument naming it, its
// position and the shape.
#pragma once

#include <cstdint>

#include "core/variable.h"

namespace descent {

// The slices of x at `indices` along `axis` (negative counts from the end); `indices`, of any
// shape, replaces that axis (NumPy's take): weights (vocab, dim) with token ids (batch, time) at
// axis 0 give (batch, time, dim). A one-dimensional `indices` is PyTorch's index_select. The
// gradient is scatter_add's.
Variable index_select(const Variable& x, const Tensor& indices, int axis);

// The adjoint of index_select: zeros of shape source.shape[:axis] + (size,) +
// source.shape[axis + indices.rank:], into which each slice of `source` is added at the index that
// `indices` gives it (source's axes [axis, axis + indices.rank) must be indices' shape). A repeated
// index gets the sum, added in order. PyTorch's index_add into zeros; the embedding's backward.
Variable scatter_add(const Variable& source, const Tensor& indices, int axis, std::int64_t size);

}  // namespace descent
