// All differentiable operations of the core, in one include.
#pragma once

#include "core/ops/activation.h"
#include "core/ops/batch_norm.h"
#include "core/ops/broadcast.h"
#include "core/ops/concat.h"
#include "core/ops/conv2d.h"
#include "core/ops/cross_entropy.h"
#include "core/ops/dropout.h"
#include "core/ops/elementwise.h"
#include "core/ops/index.h"
#include "core/ops/layer_norm.h"
#include "core/ops/matmul.h"
#include "core/ops/pool.h"
#include "core/ops/reduce.h"
#include "core/ops/softmax.h"
#include "core/ops/view.h"
#include "core/ops/where.h"
