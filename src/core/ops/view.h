// Views: operations that change how values are indexed, not the values. The result shares the
// input's storage (Tensor's views) and nothing is copied; the first operation that computes on a
// strided result makes it dense (Variable::value). Each gradient is the inverse re-indexing:
// transposed back, summed over what expand repeated, zero outside what narrow kept. Axes count
// from the end when negative; a bad axis, range or shape throws InvalidArgument naming it.
#pragma once

#include <cstdint>
#include <vector>

#include "core/variable.h"

namespace descent {

// Same values, new shape of equal size; one dimension may be -1 (inferred). A size mismatch, a
// second -1 or another negative dimension throws InvalidArgument. A view when x is dense; a
// strided x is made dense first (torch's reshape copies there too).
Variable reshape(const Variable& x, const Shape& shape);
// (batch, d1, d2, ...) -> (batch, d1·d2·...); a rank-1 input gives (batch, 1).
Variable flatten(const Variable& x);
// The axes reordered: axis k of the result is axis axes[k] of x (torch's permute).
Variable permute(const Variable& x, const std::vector<int>& axes);
// Axes a and b swapped; by default the last two (every matrix of a stack transposed).
Variable transpose(const Variable& x, int a = -2, int b = -1);
// x broadcast to `shape` by NumPy's rules without copying (torch's expand): size-1 axes repeat
// and axes are added in front.
Variable expand(const Variable& x, const Shape& shape);
// Values [start, start + length) along `axis` (torch's narrow); the range must lie in the axis.
Variable narrow(const Variable& x, int axis, std::int64_t start, std::int64_t length);

}  // namespace descent
