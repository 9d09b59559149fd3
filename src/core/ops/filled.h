// Internal to the ops: a tensor of one value on another tensor's device and dtype, for the
// constants an operation or a gradient rule adds to the graph (Tensor(shape, ...) would take the
// thread's default device instead).
#pragma once

#include "core/tensor.h"

namespace descent::detail {

inline Tensor filled_like(const Tensor& like, const Shape& shape, double value = 0.0) {
  Tensor t;
  t.resize(shape, like.dtype(), like.device());
  t.fill(value);
  return t;
}

}  // namespace descent::detail
