#include "optim/schedule/schedule_presets.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/schedule/make_schedule.h"

namespace descent {

bool is_schedule_preset(std::string_view name) {
  return name == "onecycle" || name == "cosine" || name == "constant";
}

std::unique_ptr<Schedule> make_schedule_preset(std::string_view name, const nlohmann::json& params,
                                               double peak_lr, std::int64_t total_steps,
                                               bool optimizer_has_momentum) {
  if (name == "onecycle") {
    nlohmann::json p = {{"max_lr", peak_lr}};
    if (!optimizer_has_momentum) p["cycle_momentum"] = false;
    p.update(params);
    return make_schedule("OneCycleLR", p, peak_lr, total_steps);
  }
  if (name == "cosine") {
    const std::int64_t warmup = std::max<std::int64_t>(1, total_steps / 20);
    nlohmann::json p = {{"decay_steps", std::max<std::int64_t>(1, total_steps - warmup)},
                        {"warmup_target", peak_lr},
                        {"warmup_steps", warmup}};
    p.update(params);
    return make_schedule("CosineDecay", p, peak_lr / 25.0, total_steps);
  }
  if (name == "constant") return nullptr;
  throw InvalidArgument(
      fmt::format("unknown schedule preset '{}' (known: onecycle, cosine, constant)", name));
}

}  // namespace descent
