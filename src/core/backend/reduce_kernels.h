// The reduction kernel family: sums, means, extremes, variances and logsumexp over a set of axes
// or over all values, and the two broadcasting copies (broadcast_to repeats, sum_to adds up). The
// graph side is core/ops/reduce.cpp and core/ops/broadcast.cpp; the kernels are
// core/backend/{cpu,reference}/reduce.cpp.
#pragma once

#include <cstdint>
#include <vector>

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

enum class ReduceOp : std::uint8_t { sum, mean, max, min, variance, logsumexp };

struct ReduceFunction {
  ReduceOp op;
  std::int64_t correction = 0;  // variance: divide by count - correction
};

// A reduction of a contiguous tensor of some shape over some of its axes (core/ops/axes.h lays it
// out and checks the axes).
struct Reduction {
  std::vector<int> axes;   // normalized, ascending
  Shape kept;              // the input's shape with each reduced axis 1 (keepdims)
  Shape result;            // `kept`, or without the reduced axes (keepdims false)
  std::int64_t count = 1;  // values reduced into each result value
  // Offsets from a result's first input value to each of the values it reduces, row-major.
  std::vector<std::int64_t> reduced_offsets;
  // The kept axes' dimensions and input strides, to find each result's first input value.
  std::vector<std::int64_t> kept_dims, kept_strides;
};

class ReduceKernels {
 public:
  virtual ~ReduceKernels() = default;

  // y (one value) = Σ x / divisor, summed in double (divisor 1: the sum; the count: the mean).
  virtual void sum_all(const Tensor& x, std::int64_t divisor, Tensor& y) const = 0;
  // dx (+)= dy / divisor at every element: sum_all's gradient.
  virtual void sum_all_grad(const Tensor& dy, std::int64_t divisor, GradOut dx) const = 0;

  // y[o] = f of the values of x that reduce into result value o (y: r.result's shape).
  virtual void reduce(const ReduceFunction& f, const Tensor& x, const Reduction& r,
                      Tensor& y) const = 0;
  // share (zeros on entry) = 1/ties at each value of x equal to its result's extreme y[o] (the
  // values that tie for a max or min), so the gradient is shared among them.
  virtual void tie_shares(const Tensor& x, const Tensor& y, const Reduction& r,
                          Tensor& share) const = 0;

  // y = x repeated to y's shape (x's shape broadcasts to it).
  virtual void broadcast_to(const Tensor& x, Tensor& y) const = 0;
  // y = x summed to y's shape (which broadcasts to x's), in double in a fixed order.
  virtual void sum_to(const Tensor& x, Tensor& y) const = 0;
};

}  // namespace descent
