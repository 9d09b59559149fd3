// The loss kernel family: the fused softmax cross-entropy (its mean and its gradient in one pass
// over the logits), the smoothed targets its differentiable gradient is built from, and the loss
// node's backward. The graph side is core/ops/cross_entropy.cpp and core/ops/loss_node.cpp; the
// kernels are core/backend/{cpu,reference}/loss.cpp.
#pragma once

#include "core/backend/grad_out.h"
#include "core/tensor.h"

namespace descent {

// The targets of a softmax cross-entropy over logits (batch, classes): a class label per row
// (`labels`, shape (batch,) or (batch, 1), integer values) or a weight per class (`targets`, the
// logits' shape), smoothed to t' = (1 - smoothing)·t + smoothing / classes. Exactly one is set.
struct CrossEntropyTargets {
  const Tensor* labels = nullptr;
  const Tensor* targets = nullptr;
  double smoothing = 0.0;
};

class LossKernels {
 public:
  virtual ~LossKernels() = default;

  // The mean over rows of Σ_j t'_j (lse(x) - x_j). When `dlogits` is not null (float32 logits
  // only) it receives d mean / d logits = (softmax(x) · Σ_j t'_j - t') / batch.
  virtual double softmax_cross_entropy(const Tensor& logits, const CrossEntropyTargets& targets,
                                       Tensor* dlogits) const = 0;
  // weights = t' and row_total = Σ_j t'_j repeated along each row, both of the logits' shape.
  virtual void cross_entropy_weights(const CrossEntropyTargets& targets, Tensor& weights,
                                     Tensor& row_total) const = 0;

  // The loss node's backward: dpred (+)= dy · d, where dy (shape (1,)) is the upstream gradient
  // and d the gradient of the mean computed in the forward pass.
  virtual void scale_gradient(const Tensor& d, const Tensor& dy, GradOut dpred) const = 0;
};

}  // namespace descent
