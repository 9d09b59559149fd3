// The backend seam: the kernels a device runs, one interface per kernel family. Graph code
// (core/ops: shapes, dtype checks, autograd nodes) computes nothing itself; it asks the backend of
// its output's device for a kernel. A backend implements each family in its own file:
// core/backend/cpu/ (the fast one) and core/backend/reference/ (plain loops in double, against
// which the fast one is checked). docs/architecture.md says what a GPU backend would add.
#pragma once

#include <string_view>

#include "core/backend/conv_kernels.h"
#include "core/backend/copy_kernels.h"
#include "core/backend/elementwise_kernels.h"
#include "core/backend/gemm_kernels.h"
#include "core/backend/index_kernels.h"
#include "core/backend/loss_kernels.h"
#include "core/backend/norm_kernels.h"
#include "core/backend/pool_kernels.h"
#include "core/backend/reduce_kernels.h"
#include "core/backend/softmax_kernels.h"
#include "core/device.h"
#include "core/tensor.h"

namespace descent {

struct Backend {
  std::string_view name;
  const ElementwiseKernels& elementwise;
  const ReduceKernels& reduce;
  const SoftmaxKernels& softmax;
  const LossKernels& loss;
  const IndexKernels& index;
  const CopyKernels& copy;
  const GemmKernels& gemm;
  const ConvKernels& conv;
  const PoolKernels& pool;
  const NormKernels& norm;
};

const Backend& backend(Device device);
inline const Backend& backend_of(const Tensor& tensor) {
  return backend(tensor.device());
}

}  // namespace descent
