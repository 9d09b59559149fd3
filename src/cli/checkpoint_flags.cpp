#include "cli/checkpoint_flags.h"

#include <cmath>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"

namespace descent::cli {

void add_checkpoint_flags(CLI::App& c, CheckpointFlags& f) {
  c.add_option("--checkpoint-every", f.every,
               "also checkpoint every N steps (0: at each epoch's end only)")
      ->capture_default_str();
  c.add_option("--keep", f.keep, "checkpoints kept in RUN_DIR/checkpoints")->capture_default_str();
  c.add_option("--on-divergence", f.on_divergence,
               "stop, or rollback: restore the last checkpoint, lower η, skip the bad batch")
      ->capture_default_str();
  c.add_option("--rollback-factor", f.rollback_factor, "η is multiplied by this at each rollback")
      ->capture_default_str();
  c.add_option("--max-rollbacks", f.max_rollbacks, "rollbacks before the run is stopped")
      ->capture_default_str();
}

void check_checkpoint_flags(const CheckpointFlags& f) {
  if (f.every < 0)
    throw InvalidArgument(fmt::format("--checkpoint-every must be >= 0, got {}", f.every));
  if (f.keep < 1) throw InvalidArgument(fmt::format("--keep must be >= 1, got {}", f.keep));
  if (f.on_divergence != "stop" && f.on_divergence != "rollback")
    throw InvalidArgument(
        fmt::format("--on-divergence must be stop or rollback, got '{}'", f.on_divergence));
  if (!(std::isfinite(f.rollback_factor) && f.rollback_factor > 0 && f.rollback_factor < 1))
    throw InvalidArgument(
        fmt::format("--rollback-factor must be in (0, 1), got {}", f.rollback_factor));
  if (f.max_rollbacks < 0)
    throw InvalidArgument(fmt::format("--max-rollbacks must be >= 0, got {}", f.max_rollbacks));
}

void apply_checkpoint_flags(const CheckpointFlags& f, const std::filesystem::path& run_dir,
                            FitOptions& fit) {
  check_checkpoint_flags(f);
  fit.checkpoint_dir = checkpoint_dir(run_dir);
  fit.checkpoint_every = f.every;
  fit.checkpoint_keep = f.keep;
  fit.on_divergence = {
      .action = f.on_divergence == "rollback" ? OnDivergence::rollback : OnDivergence::stop,
      .lr_factor = f.rollback_factor,
      .max_rollbacks = f.max_rollbacks};
}

nlohmann::json to_json(const CheckpointFlags& f) {
  return {{"every", f.every},
          {"keep", f.keep},
          {"on_divergence", f.on_divergence},
          {"rollback_factor", f.rollback_factor},
          {"max_rollbacks", f.max_rollbacks}};
}

CheckpointFlags checkpoint_flags_from_json(const nlohmann::json& j) {
  CheckpointFlags f;
  f.every = json_integer<std::int64_t>(j.at("every"), "config.json's checkpoints.every");
  f.keep = json_integer<int>(j.at("keep"), "config.json's checkpoints.keep");
  f.on_divergence = j.at("on_divergence").get<std::string>();
  f.rollback_factor = j.at("rollback_factor").get<double>();
  f.max_rollbacks =
      json_integer<int>(j.at("max_rollbacks"), "config.json's checkpoints.max_rollbacks");
  return f;
}

void refuse_settings_with_resume(const CLI::App& command) {
  for (const CLI::Option* option : command.get_options()) {
    const std::string name = option->get_name();
    if (option->count() > 0 && name != "--resume" && name != "--json" && name != "--quiet")
      throw InvalidArgument(fmt::format(
          "--resume continues a run with the settings it was started with; {} cannot be given "
          "with it",
          name));
  }
}

std::filesystem::path checkpoint_dir(const std::filesystem::path& run_dir) {
  return run_dir / "checkpoints";
}

}  // namespace descent::cli
