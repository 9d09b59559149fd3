#include "report/report_inputs.h"

#include <fmt/format.h>

#include "core/error.h"
#include "report/run_directory.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

std::optional<nlohmann::json> read_if_present(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) return std::nullopt;
  return read_json_file(path);
}

bool has_data(const RunInputs& run) {
  return run.history || run.lr_finder || run.sweep || run.sharpness || run.is_tune();
}

// Everything but the stages; the stages of a tune are ordinary run directories.
RunInputs read_files(const fs::path& dir) {
  RunInputs run;
  run.dir = dir;
  run.config = read_if_present(dir / "config.json");
  run.results = read_if_present(dir / "results.json");
  run.history = read_if_present(dir / "history.json");
  run.lr_finder = read_if_present(dir / "lr_finder.json");
  run.sweep = read_if_present(dir / "sweep.json");
  run.sharpness = read_if_present(dir / "sharpness.json");
  return run;
}

}  // namespace

std::string RunInputs::name() const {
  const fs::path name = dir.lexically_normal().filename();
  return name.empty() || name == "." ? dir.string() : name.string();
}

std::string RunInputs::describe() const {
  std::vector<std::string> parts;
  if (is_tune()) {
    std::vector<std::string> names;
    for (const auto& [name, stage] : stages)
      names.push_back(name);
    parts.push_back(fmt::format("tune ({})", fmt::join(names, ", ")));
  }
  if (history) parts.push_back("training run");
  if (lr_finder) parts.push_back("range test");
  if (sweep) parts.push_back("sweep");
  if (sharpness) parts.push_back("sharpness");
  return fmt::format("{}", fmt::join(parts, ", "));
}

RunInputs read_run_inputs(const fs::path& dir) {
  std::error_code error;
  if (!fs::exists(dir, error))
    throw IoError(fmt::format("run directory {} does not exist", dir.string()));
  if (!fs::is_directory(dir, error))
    throw IoError(fmt::format("{} is not a directory", dir.string()));
  RunInputs run = read_files(dir);
  for (const std::string& name : tune_stage_names()) {
    if (!fs::is_directory(dir / name, error)) continue;
    RunInputs stage = read_files(dir / name);
    // A stage that a stopped tune never reached may exist empty: it has nothing to show.
    if (has_data(stage)) run.stages.push_back({name, std::move(stage)});
  }
  if (!has_data(run))
    throw DataError(
        fmt::format("{} holds nothing to report: no history.json, lr_finder.json, sweep.json, "
                    "sharpness.json, or tune stages (find-lr/, sweep/, final/, sharpness/)",
                    dir.string()));
  return run;
}

}  // namespace descent
