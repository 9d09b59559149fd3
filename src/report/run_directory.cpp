#include "report/run_directory.h"

#include <chrono>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"
#include "core/special_file.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

std::string timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

void make_directories(const fs::path& path) {
  std::error_code error;
  fs::create_directories(path, error);
  if (error) throw IoError(fmt::format("cannot create {}: {}", path.string(), error.message()));
}

// Replacing a run directory removes everything the earlier run left: a stale history.json beside a
// new tune's results.json would be reported as one run. Only a directory a descent command made
// is emptied, so `--out . --overwrite` cannot wipe a user's working directory.
void clear_earlier_run(const fs::path& dir) {
  std::error_code error;
  if (!fs::exists(dir / "config.json", error) && !fs::exists(dir / "results.json", error))
    throw InvalidArgument(fmt::format(
        "output directory {} is not empty and is not a descent run directory (no config.json or "
        "results.json): --overwrite replaces only a run directory",
        dir.string()));
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    fs::remove_all(entry.path(), error);
    if (error)
      throw IoError(fmt::format("cannot remove {}: {}", entry.path().string(), error.message()));
  }
  if (error) throw IoError(fmt::format("cannot list {}: {}", dir.string(), error.message()));
}

}  // namespace

RunDirectory::RunDirectory(const fs::path& path, const std::string& command, bool overwrite) {
  std::error_code error;
  if (path.empty()) {
    const fs::path base = fs::path("runs") / fmt::format("{}-{}", command, timestamp());
    path_ = base;
    for (int n = 2; fs::exists(path_); ++n)
      path_ = fs::path(fmt::format("{}-{}", base.string(), n));
  } else {
    path_ = path;
    if (fs::exists(path_, error)) {
      if (!fs::is_directory(path_, error))
        throw InvalidArgument(
            fmt::format("output {} exists and is not a directory", path_.string()));
      if (!fs::is_empty(path_, error)) {
        if (!overwrite)
          throw InvalidArgument(fmt::format(
              "output directory {} already exists and is not empty (use --overwrite to replace it)",
              path_.string()));
        clear_earlier_run(path_);
      }
    }
  }
  make_directories(path_);
}

void RunDirectory::write_json(const std::string& name, const nlohmann::json& value) const {
  write_file_atomically(file(name), value.dump(2) + '\n');
}

RunDirectory RunDirectory::existing(const fs::path& path) {
  std::error_code error;
  if (!fs::is_directory(path, error))
    throw IoError(fmt::format("run directory {} does not exist", path.string()));
  RunDirectory run;
  run.path_ = path;
  return run;
}

RunDirectory RunDirectory::stage(const fs::path& path) {
  make_directories(path);
  RunDirectory run;
  run.path_ = path;
  return run;
}

nlohmann::json read_json_file(const fs::path& path) {
  refuse_special_file(path, "");
  std::error_code error;
  if (fs::is_directory(path, error))
    throw IoError(fmt::format("{} is a directory, not a JSON file", path.string()));
  std::ifstream in(path);
  if (!in) throw IoError(fmt::format("cannot open {}", path.string()));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw DataError(fmt::format("{}: malformed JSON at byte {}", path.string(), e.byte));
  }
}

}  // namespace descent
