// The reference kernels compute in double; this rounds the results once into a tensor of either
// dtype, assigning or adding as a gradient's GradOut says.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace descent::reference {

inline void store(Tensor& out, const std::vector<double>& values, bool accumulate = false) {
  for (std::int64_t i = 0; i < out.size(); ++i) {
    const double v = accumulate ? out.at(i) + values[i] : values[i];
    if (out.dtype() == DType::f32)
      out.data<float>()[i] = static_cast<float>(v);
    else
      out.data<double>()[i] = v;
  }
}

}  // namespace descent::reference
