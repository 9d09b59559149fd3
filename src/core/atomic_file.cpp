#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "core/error.h"
#include "core/special_file.h"

namespace descent {
namespace {

IoError system_error(std::string_view what, const std::filesystem::path& path) {
  return IoError(fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(errno)));
}

// A name no other writer (thread or process) uses at the same time: ".NAME.tmp.PID.N".
std::filesystem::path temporary_name(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  return path.parent_path() /
         fmt::format(".{}.tmp.{}.{}", path.filename().string(), ::getpid(), counter.fetch_add(1));
}

void write_all(int fd, std::span<const char> bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw system_error("write", path);
    }
    bytes = bytes.subspan(static_cast<std::size_t>(n));
  }
}

void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw system_error("open directory", dir);
  const int status = ::fsync(fd);
  ::close(fd);
  if (status != 0 && errno != EINVAL) throw system_error("sync directory", dir);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::span<const char> bytes) {
  const std::filesystem::path target = path.has_parent_path() ? path : "." / path;
  // Renaming over a device or FIFO would replace the node itself (/dev/null, as root).
  refuse_special_file(target, "");
  const std::filesystem::path temporary = temporary_name(target);
  // O_EXCL: never follow or reuse a file someone else put there. 0666 lets the umask decide.
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) throw system_error("write", target);
  try {
    struct stat old {};
    if (::stat(target.c_str(), &old) == 0 && ::fchmod(fd, old.st_mode & 07777) != 0)
      throw system_error("set the permissions of", target);
    write_all(fd, bytes, target);
    if (::fsync(fd) != 0) throw system_error("sync", target);
    const int closed = ::close(fd);
    fd = -1;
    if (closed != 0) throw system_error("write", target);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::rename(temporary.c_str(), target.c_str()) != 0) {
    const IoError error = system_error("replace", target);
    ::unlink(temporary.c_str());
    throw error;
  }
  sync_directory(target.parent_path());
}

}  // namespace descent
