#include "cli/output_file.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/special_file.h"

namespace descent::cli {

void check_output_file(const std::filesystem::path& path, std::string_view flag) {
  if (path.empty()) return;
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (error && error != std::errc::no_such_file_or_directory)  // too long, not a directory, ...
    throw IoError(fmt::format("{} {}: {}", flag, path.string(), error.message()));
  if (std::filesystem::is_directory(status))
    throw InvalidArgument(
        fmt::format("{} {} is a directory; name the file to write", flag, path.string()));
  refuse_special_file(path, flag);
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  if (!std::filesystem::is_directory(folder, error))
    throw IoError(fmt::format("{} {}: the directory {} does not exist", flag, path.string(),
                              folder.string()));
}

}  // namespace descent::cli
