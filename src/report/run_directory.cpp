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
      if (!fs::is_empty(path_, error) && !overwrite)
        throw InvalidArgument(fmt::format(
            "output directory {} already exists and is not empty (use --overwrite to replace it)",
            path_.string()));
    }
  }
  fs::create_directories(path_, error);
  if (error) throw IoError(fmt::format("cannot create {}: {}", path_.string(), error.message()));
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
