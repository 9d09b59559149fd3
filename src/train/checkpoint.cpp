#include "train/checkpoint.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "train/weights_file.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

constexpr const char* kKind = "descent-checkpoint";
constexpr std::string_view kFileNamePrefix = "checkpoint-";
constexpr std::string_view kFileNameSuffix = ".bin";

// The step in "checkpoint-<step>.bin", or -1 for any other name.
std::int64_t step_of(const fs::path& file) {
  const std::string name = file.filename().string();
  if (!name.starts_with(kFileNamePrefix) || !name.ends_with(kFileNameSuffix)) return -1;
  const std::string digits = name.substr(
      kFileNamePrefix.size(), name.size() - kFileNamePrefix.size() - kFileNameSuffix.size());
  if (digits.empty() || digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  return std::stoll(digits);
}

}  // namespace

void write_checkpoint(const fs::path& path, StateDict state) {
  state.meta["kind"] = kKind;
  write_weights_file(path, state);
}

StateDict read_checkpoint(const fs::path& path) {
  StateDict state = read_weights_file(path);
  if (!state.meta.is_object() || state.meta.value("kind", "") != kKind)
    throw DataError(fmt::format("{}: not a descent checkpoint", path.string()));
  return state;
}

CheckpointStore::CheckpointStore(fs::path dir, int keep) : dir_(std::move(dir)), keep_(keep) {
  if (keep < 1)
    throw InvalidArgument(fmt::format("checkpoints to keep must be >= 1, got {}", keep));
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) throw IoError(fmt::format("cannot create {}: {}", dir_.string(), error.message()));
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(fmt::format(".{}", kFileNamePrefix)) &&
        name.find(".tmp.") != std::string::npos)
      fs::remove(entry.path(), error);
  }
}

fs::path CheckpointStore::save(std::int64_t step, StateDict state) {
  const fs::path path = dir_ / fmt::format("{}{:010}{}", kFileNamePrefix, step, kFileNameSuffix);
  write_checkpoint(path, std::move(state));
  const std::vector<fs::path> all = files();
  for (std::size_t i = 0; i + static_cast<std::size_t>(keep_) < all.size(); ++i) {
    std::error_code ignored;
    fs::remove(all[i], ignored);
  }
  return path;
}

std::vector<fs::path> CheckpointStore::files() const {
  std::vector<std::pair<std::int64_t, fs::path>> found;
  for (const auto& entry : fs::directory_iterator(dir_))
    if (const std::int64_t step = step_of(entry.path()); step >= 0 && entry.is_regular_file())
      found.emplace_back(step, entry.path());
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [step, path] : found)
    out.push_back(std::move(path));
  return out;
}

std::optional<LoadedCheckpoint> CheckpointStore::load_latest() const {
  const std::vector<fs::path> all = files();
  std::vector<std::string> damaged;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    try {
      return LoadedCheckpoint{read_checkpoint(*it), *it, std::move(damaged)};
    } catch (const DataError& e) {
      damaged.push_back(e.what());
    }
  }
  return std::nullopt;
}

}  // namespace descent
