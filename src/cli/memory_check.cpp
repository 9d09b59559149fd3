#include "cli/memory_check.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/available_memory.h"
#include "core/error.h"
#include "train/memory_estimate.h"

namespace descent::cli {
namespace {

using nlohmann::json;

std::string human_bytes(double bytes) {
  constexpr double kMiB = 1024.0 * 1024.0, kGiB = 1024.0 * kMiB, kTiB = 1024.0 * kGiB;
  if (bytes >= 1024.0 * kTiB) return fmt::format("{:.3g} bytes", bytes);
  if (bytes >= kTiB) return fmt::format("{:.1f} TiB", bytes / kTiB);
  if (bytes >= kGiB) return fmt::format("{:.1f} GiB", bytes / kGiB);
  return fmt::format("{:.0f} MiB", std::max(1.0, bytes / kMiB));
}

// The shorthand mlp's hidden layers: every Dense but the last, which gives the outputs.
std::vector<json*> hidden_layers(json& config) {
  std::vector<json*> hidden;
  json& layers = config["layers"];
  for (std::size_t i = 0; i + 1 < layers.size(); ++i)
    if (layers[i].value("type", "") == "Dense") hidden.push_back(&layers[i]);
  return hidden;
}

double bytes_needed(const json& config, const MemoryNeeds& needs) {
  return estimate_training_memory(plan_model(config), needs.optimizer_slots)
             .bytes(needs.batch_size) *
         double(needs.runs);
}

// The mlp with every hidden width capped at `cap`.
json capped(json config, std::int64_t cap) {
  for (json* layer : hidden_layers(config))
    (*layer)["units"] = std::min((*layer)["units"].get<std::int64_t>(), cap);
  return config;
}

// "; the widest mlp that fits is mlp:4096,128", or nothing when even width 1 does not fit.
std::string narrower_mlp(const MemoryNeeds& needs, double available) {
  json config = needs.model_config;
  std::int64_t widest = 0;
  for (json* layer : hidden_layers(config))
    widest = std::max(widest, (*layer)["units"].get<std::int64_t>());
  if (!needs.model_spec.starts_with("mlp:") || bytes_needed(capped(config, 1), needs) > available)
    return "";
  std::int64_t fits = 1, too_wide = widest;
  while (too_wide - fits > 1) {
    const std::int64_t mid = fits + (too_wide - fits) / 2;
    (bytes_needed(capped(config, mid), needs) <= available ? fits : too_wide) = mid;
  }
  std::vector<std::int64_t> widths;
  for (json* layer : hidden_layers(config))
    widths.push_back(std::min((*layer)["units"].get<std::int64_t>(), fits));
  return fmt::format("; the widest mlp that fits is mlp:{}", fmt::join(widths, ","));
}

}  // namespace

void check_memory(const MemoryNeeds& needs) {
  const std::optional<std::int64_t> available = available_memory_bytes();
  if (!available) return;
  const ModelPlan plan = plan_model(needs.model_config);
  const MemoryEstimate estimate = estimate_training_memory(plan, needs.optimizer_slots);
  const double runs = double(needs.runs);
  const double need = estimate.bytes(needs.batch_size) * runs;
  const double have = double(*available);
  if (need <= have) return;

  std::string fits;
  if (estimate.bytes(1) * runs <= have)
    fits = fmt::format("; the largest --batch-size that fits is {}",
                       static_cast<std::int64_t>((have / runs - estimate.fixed_bytes) /
                                                 estimate.bytes_per_sample));
  else
    fits = narrower_mlp(needs, have);
  throw InvalidArgument(fmt::format(
      "model {} needs about {} to train ({:.3g} weights, batch size {}{}) but {} is available{}",
      needs.model_spec, human_bytes(need), plan.weights, needs.batch_size,
      needs.runs > 1 ? fmt::format(", {} runs at once", needs.runs) : "", human_bytes(have), fits));
}

}  // namespace descent::cli
