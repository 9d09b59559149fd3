// Refuses a training run the machine cannot hold before its model is built: the estimate
// (train/memory_estimate.h) against the memory left (core/available_memory.h), with the largest
// setting that fits named in the one-line error (a smaller batch, or a narrower mlp).
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace descent::cli {

// What a run trains, as far as memory goes.
struct MemoryNeeds {
  const std::string& model_spec;       // --model
  const nlohmann::json& model_config;  // as model_config() made it from model_spec
  std::size_t optimizer_slots = 0;     // values the optimizer keeps per weight
  std::int64_t batch_size = 1;         // already capped at the number of training samples
  std::int64_t runs = 1;               // models trained at once (a sweep's parallel runs)
};

// Throws InvalidArgument when the estimate exceeds the available memory.
void check_memory(const MemoryNeeds& needs);

}  // namespace descent::cli
