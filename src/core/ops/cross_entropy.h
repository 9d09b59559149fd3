// Fused softmax + cross-entropy on logits: one node whose forward uses the log-sum-exp trick and
// whose gradient is (Σt·softmax - t) / batch, i.e. (softmax - target) / batch for distributions.
//
// For a row of logits x with C classes and target weights t (a one-hot row for a label):
//   loss_row = Σ_j t_j · (lse(x) - x_j),   lse(x) = m + log1p(Σ_{j≠argmax} exp(x_j - m)), m = max x
// which never overflows (±50 logits are fine) and keeps precision for confident rows. The mean
// over the batch is returned. Label smoothing s replaces t by (1 - s)·t + s / C (as in
// torch.nn.functional.cross_entropy and tf.keras CategoricalCrossentropy).
//
// The gradient is computed during the forward pass (the exponentials are already there) into a
// pooled buffer, so backward is one scaled copy. Rows are processed in parallel with OpenMP for
// large batches; the loss is summed in fixed chunks, so the result does not depend on the thread
// count.
#pragma once

#include <cstdint>

#include "core/variable.h"

namespace descent {

// Checks that `labels` holds one integer class in [0, classes) per row of a batch of `batch` rows
// (shape (batch,) or (batch, 1)). Throws InvalidArgument on a shape mismatch and DataError naming
// the first bad value and its index (non-integer, NaN, negative or >= classes).
void check_class_labels(const Tensor& labels, std::int64_t batch, std::int64_t classes);

// logits (batch, classes), labels (batch,) of integer-valued floats in [0, classes)
// -> mean loss, shape (1,). Equals torch.nn.functional.cross_entropy(logits, labels).
Variable sparse_softmax_cross_entropy(const Variable& logits, const Tensor& labels,
                                      float label_smoothing = 0.0f);

// logits (batch, classes), targets (batch, classes) (rows are usually distributions)
// -> mean loss, shape (1,). Equals torch.nn.functional.cross_entropy(logits, targets).
Variable softmax_cross_entropy(const Variable& logits, const Tensor& targets,
                               float label_smoothing = 0.0f);

}  // namespace descent
