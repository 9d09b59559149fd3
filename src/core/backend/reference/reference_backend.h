// The reference backend's kernel families: one thread, plain loops, every sum and function
// evaluated in double and rounded once to the tensor's dtype. Slow and obviously right: the whole
// test suite runs on it, and tests/core/backend_test.cpp checks the cpu kernels against it.
#pragma once

#include <cstdint>

#include "core/backend/backend.h"

namespace descent {

// How many reference kernels have run in this process: a test reads it before and after an
// operation to see that the operation reached the backend instead of computing on its own.
std::uint64_t reference_kernel_calls();
namespace reference {
void count_kernel_call();
}  // namespace reference

const ElementwiseKernels& reference_elementwise();
const ReduceKernels& reference_reduce();
const SoftmaxKernels& reference_softmax();
const LossKernels& reference_loss();
const IndexKernels& reference_index();
const CopyKernels& reference_copy();
const GemmKernels& reference_gemm();
const ConvKernels& reference_conv();
const PoolKernels& reference_pool();
const NormKernels& reference_norm();

}  // namespace descent
