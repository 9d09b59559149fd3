// The softmax kernel family: softmax and log-softmax over one axis of a contiguous tensor (the
// other axes index independent rows), and their backward. The graph side is core/ops/softmax.cpp;
// the kernels are core/backend/{cpu,reference}/softmax.cpp.
#pragma once

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

class SoftmaxKernels {
 public:
  virtual ~SoftmaxKernels() = default;

  // y = softmax(x) over `axis` (normalized, holding values), or log_softmax(x) when `log`.
  virtual void softmax(bool log, const Tensor& x, int axis, Tensor& y) const = 0;
  // y = softmax(x) over the last axis of x (…, queries, keys), query t over keys s <= t only;
  // y is 0 at the later keys.
  virtual void causal_softmax(const Tensor& x, Tensor& y) const = 0;
  // dx (+)= the gradient from dy, given y the forward's result: y · (dy − Σ dy · y) for softmax,
  // dy − exp(y) · Σ dy for log_softmax (sums over `axis`).
  virtual void softmax_grad(bool log, const Tensor& y, const Tensor& dy, int axis,
                            GradOut dx) const = 0;
};

}  // namespace descent
