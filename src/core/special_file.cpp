#include "core/special_file.h"

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

const char* kind_name(fs::file_type type) {
  switch (type) {
    case fs::file_type::character:
      return "a character device";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::fifo:
      return "a FIFO";
    case fs::file_type::socket:
      return "a socket";
    default:
      return "not a file";
  }
}

}  // namespace

void refuse_special_file(const fs::path& path, std::string_view what) {
  std::error_code error;
  const fs::file_type type = fs::status(path, error).type();
  if (error || type == fs::file_type::regular || type == fs::file_type::directory ||
      type == fs::file_type::not_found)
    return;
  throw IoError(fmt::format("{}{}{} is {}, not a regular file", what, what.empty() ? "" : " ",
                            path.string(), kind_name(type)));
}

}  // namespace descent
