// The memory fit() needs for a model, estimated from its plan (nn/model_plan.h) before the model is
// built, so that a run the machine cannot hold is refused at once instead of swapping for minutes
// or dying halfway with bad_alloc. Rough by design: it counts the big arrays, all float32, with
// as many copies of each as peak memory showed (/usr/bin/time on mlp:3000,3000 and mlp:6000,6000
// with sgd and adam, mlp:1000000 at batch size 128: within 10% of the estimate).
#pragma once

#include <cstdint>

#include "nn/model_plan.h"

namespace descent {

struct MemoryEstimate {
  // The weights, their gradients, the optimizer's slots, and the copies a checkpoint takes of them
  // (its state dict and its serialized bytes).
  double fixed_bytes = 0;
  // Per sample of a batch: the input, every layer's output, the value before the activation, their
  // gradients, and the buffers the pool keeps for the next step.
  double bytes_per_sample = 0;

  double bytes(std::int64_t batch_size) const {
    return fixed_bytes + bytes_per_sample * double(batch_size);
  }
};

// `optimizer_slots`: the values the optimizer keeps per weight (slot_names().size(): Adam 2).
MemoryEstimate estimate_training_memory(const ModelPlan& plan, std::size_t optimizer_slots);

}  // namespace descent
