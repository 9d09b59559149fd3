// The cpu backend's kernel families (OpenMP loops, oneDNN and OpenBLAS products), one file each.
#pragma once

#include "core/backend/backend.h"

namespace descent {

const ElementwiseKernels& cpu_elementwise();
const GemmKernels& cpu_gemm();
const ConvKernels& cpu_conv();
const PoolKernels& cpu_pool();

}  // namespace descent
