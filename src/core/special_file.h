// Files that are not files: a device (/dev/zero reads forever), a FIFO (opening it blocks until
// a writer comes), a socket. Commands refuse them by name before opening anything.
#pragma once

#include <filesystem>
#include <string_view>

namespace descent {

// Throws IoError ("<what> <path> is a FIFO, not a regular file") when `path` exists and is neither
// a regular file nor a directory. Looks with stat() only: a FIFO is never opened.
void refuse_special_file(const std::filesystem::path& path, std::string_view what);

}  // namespace descent
