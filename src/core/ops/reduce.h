// Reductions: to a single value, and over any set of axes.
//
// The axis forms take one or more axes (negative ones count from the end, each given once; else
// InvalidArgument naming the axis and the shape). With keepdims the reduced axes stay as 1, so the
// result broadcasts against the input; without, they are removed (all of them: shape ()). Sums
// run in double in a fixed order, so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <vector>

#include "core/variable.h"

namespace descent {

using Axes = std::vector<int>;

// Sum of all values, shape (1,).
Variable sum(const Variable& x);
// Mean of all values, shape (1,).
Variable mean(const Variable& x);

Variable sum(const Variable& x, const Axes& axes, bool keepdims = false);
Variable mean(const Variable& x, const Axes& axes, bool keepdims = false);
// Largest and smallest value (a NaN wins). The gradient is shared equally among the values that
// tie for the extreme, as PyTorch's amax / amin do (torch.max(x, dim) instead routes all of it to
// one index): the same subgradient whichever order the values come in. Reducing an empty axis
// throws InvalidArgument.
Variable max(const Variable& x, const Axes& axes, bool keepdims = false);
Variable min(const Variable& x, const Axes& axes, bool keepdims = false);

struct VarianceOptions {
  // Divide by (count - correction): 1 is the unbiased estimate, PyTorch's default; 0 the biased
  // one that Keras and batch normalization use. count <= correction throws InvalidArgument.
  std::int64_t correction = 1;
  bool keepdims = false;
};
// Σ (x - mean)² / (count - correction) over the axes.
Variable variance(const Variable& x, const Axes& axes, VarianceOptions options = {});
// log Σ exp(x) over the axes, computed stably (the maximum is subtracted first); -inf where every
// value is -inf, as in PyTorch.
Variable logsumexp(const Variable& x, const Axes& axes, bool keepdims = false);

}  // namespace descent
