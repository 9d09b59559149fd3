// write_file_atomically: replaces a file so that a reader, or a crash at any moment, sees either
// the old content or the new, never a mix or a truncated file. The bytes go to a fresh temporary
// file in the same directory (same file system, so rename is atomic), which is flushed to disk
// (fsync) and renamed over the target; the directory is then synced so the rename itself survives
// a power cut. The new file keeps the old one's permissions, or gets the usual 0666 & ~umask when
// there was none. On any failure (disk full, file-size limit, I/O error) the temporary file is
// removed, the old file is untouched, and IoError names the file and the system's reason.
#pragma once

#include <filesystem>
#include <span>

namespace descent {

void write_file_atomically(const std::filesystem::path& path, std::span<const char> bytes);

}  // namespace descent
