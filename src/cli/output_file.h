// A file a command writes at a path the user named (predict -o, valley --csv, report --out),
// checked before anything is computed or written: a refusal found only at the end would leave a
// run directory behind without the file the user asked for.
#pragma once

#include <filesystem>
#include <string_view>

namespace descent::cli {

// Throws InvalidArgument for a directory, IoError for a device, FIFO or socket, or a folder that
// does not exist. An empty path (the flag not given) passes.
void check_output_file(const std::filesystem::path& path, std::string_view flag);

}  // namespace descent::cli
