// RunDirectory: where a command puts everything it produced (configuration, history as CSV and
// JSON, weights, charts). An existing, non-empty directory is never reused unless the caller
// says so (--overwrite): nothing a user already has is replaced without being asked.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace descent {

class RunDirectory {
 public:
  // Creates `path`, or when empty a fresh "runs/<command>-<YYYYMMDD-HHMMSS>[-N]" directory.
  // A non-empty `path` is refused (InvalidArgument) unless `overwrite`, and then emptied first,
  // which only a run directory (one holding config.json or results.json) may be. IoError when it
  // cannot be created or emptied.
  RunDirectory(const std::filesystem::path& path, const std::string& command, bool overwrite);
  // A run directory that exists already, to go on with its run (--resume); IoError otherwise.
  static RunDirectory existing(const std::filesystem::path& path);
  // A stage of a run (a tune's find-lr/, sweep/, final/): created when absent, its contents kept,
  // so that a resumed tune finishes what the stage holds.
  static RunDirectory stage(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }
  // Writes `value` as indented JSON to `name` inside the directory, atomically.
  void write_json(const std::string& name, const nlohmann::json& value) const;

 private:
  RunDirectory() = default;
  std::filesystem::path path_;
};

// Reads a JSON file, with an IoError or DataError naming the file.
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace descent
