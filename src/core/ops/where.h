// Choosing values by a mask: where, masked_fill, and the lower-triangular mask of causal
// attention.
//
// A mask is a Tensor of 0 and 1 (float32 or float64, as comparisons would give); any other value
// throws InvalidArgument naming it and its position. Masks take no gradient.
#pragma once

#include <cstdint>

#include "core/variable.h"

namespace descent {

// condition ? a : b, element by element, with NumPy broadcasting among the three. a's gradient is
// the output's where condition is 1 and zero elsewhere, b's the other way round (each summed over
// the axes it was repeated along). Shapes that do not broadcast throw InvalidArgument.
Variable where(const Tensor& condition, const Variable& a, const Variable& b);
// x with `value` where mask is 1 (mask broadcasts to x's shape, which the result keeps). The
// gradient is zero where the mask filled. PyTorch's masked_fill.
Variable masked_fill(const Variable& x, const Tensor& mask, double value);
// A (rows, cols) mask with 1 where column <= row + diagonal, else 0: torch.tril of ones. Causal
// attention keeps the scores where it is 1: where(lower_triangular_mask(t, t), scores, -inf).
Tensor lower_triangular_mask(std::int64_t rows, std::int64_t cols, std::int64_t diagonal = 0,
                             DType dtype = DType::f32);

}  // namespace descent
