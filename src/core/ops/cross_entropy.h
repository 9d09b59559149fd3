// Fused softmax + cross-entropy on logits: one node, gradient (softmax - target) / batch.
#pragma once

#include <cstdint>
#include <span>

#include "core/variable.h"

namespace descent {

// logits (batch, classes), integer labels in [0, classes) -> mean loss, shape (1,).
Variable softmax_cross_entropy(const Variable& logits, std::span<const std::int32_t> labels);
// logits (batch, classes), target distributions (batch, classes) -> mean loss, shape (1,).
Variable softmax_cross_entropy(const Variable& logits, const Tensor& targets);

}  // namespace descent
