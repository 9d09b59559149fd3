// The cpu backend's kernel families (OpenMP loops, oneDNN and OpenBLAS products), one file each.
#pragma once

#include "core/backend/backend.h"

namespace descent {

const ElementwiseKernels& cpu_elementwise();
const ReduceKernels& cpu_reduce();
const SoftmaxKernels& cpu_softmax();
const LossKernels& cpu_loss();
const IndexKernels& cpu_index();
const CopyKernels& cpu_copy();
const GemmKernels& cpu_gemm();
const ConvKernels& cpu_conv();
const PoolKernels& cpu_pool();
const NormKernels& cpu_norm();

}  // namespace descent
