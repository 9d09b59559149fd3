// An input's gradient as a backward kernel writes it. The first write of a backward pass assigns
// (no buffer is zeroed first); every later one adds. write_grad is the one place that makes that
// choice: it runs the kernel's loop with a store that assigns or one that adds, so each loop still
// compiles without a branch per element.
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace descent {

struct GradOut {
  Tensor& tensor;
  bool accumulate = false;
};

// Calls loop(store), where store(i, v) assigns v to element i of the gradient or adds it.
template <class T, class Loop>
void write_grad(GradOut out, Loop loop) {
  T* g = out.tensor.data<T>();
  if (out.accumulate)
    loop([g](std::int64_t i, T v) { g[i] += v; });
  else
    loop([g](std::int64_t i, T v) { g[i] = v; });
}

}  // namespace descent
