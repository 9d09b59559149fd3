// Joining tensors along an axis and cutting them apart: concat's gradient is made of narrows
// (core/ops/view.h), split is narrows, stack is concat. concat copies; the pieces of split are
// views. Axes count from the end when negative; a bad axis throws InvalidArgument naming it and
// the shape.
#pragma once

#include <cstdint>
#include <vector>

#include "core/variable.h"

namespace descent {

// The inputs (at least one, of one rank and dtype) joined along `axis`; their other dimensions
// must be equal (else InvalidArgument naming both shapes). Each input's gradient is its slice of
// the output's.
Variable concat(const std::vector<Variable>& inputs, int axis);
// x cut along `axis` into consecutive pieces of the given sizes, which must add up to the axis.
std::vector<Variable> split(const Variable& x, const std::vector<std::int64_t>& sizes, int axis);
// Inputs of one shape joined along a new axis at `axis` (in [-(rank + 1), rank]): n inputs of
// shape (a, b) stacked at axis 0 give (n, a, b).
Variable stack(const std::vector<Variable>& inputs, int axis);

}  // namespace descent
