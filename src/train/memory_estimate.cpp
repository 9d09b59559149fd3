#include "train/memory_estimate.h"

namespace descent {
namespace {

constexpr double kFloatBytes = 4.0;
// Measured (memory_estimate.h): SGD's peak is about 8 copies of the weights, and each slot of the
// optimizer adds about 4 (the slot, its checkpoint copy, its serialized bytes, the pool).
constexpr double kCopiesPerWeight = 8.0;
constexpr double kCopiesPerSlot = 4.0;
constexpr double kCopiesPerActivation = 8.0;
constexpr double kCopiesPerInput = 2.0;  // the gathered batch and its graph node

}  // namespace

MemoryEstimate estimate_training_memory(const ModelPlan& plan, std::size_t optimizer_slots) {
  double input = 1.0;
  for (std::int64_t d : plan.input)
    input *= double(d);
  const double copies = kCopiesPerWeight + kCopiesPerSlot * double(optimizer_slots);
  return {.fixed_bytes = kFloatBytes * copies * plan.weights,
          .bytes_per_sample =
              kFloatBytes * (kCopiesPerActivation * plan.activations + kCopiesPerInput * input)};
}

}  // namespace descent
