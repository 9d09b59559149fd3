#include "core/available_memory.h"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace descent {
namespace {

// A "Name:   123 kB" field of a /proc file, in bytes.
std::optional<std::int64_t> proc_field_bytes(const char* file, const std::string& name) {
  std::ifstream in(file);
  std::string key;
  std::int64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == name + ":") return kib * 1024;
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> available_memory_bytes() {
  std::optional<std::int64_t> available = proc_field_bytes("/proc/meminfo", "MemAvailable");
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    const std::int64_t used = proc_field_bytes("/proc/self/status", "VmSize").value_or(0);
    const std::int64_t left =
        std::max<std::int64_t>(0, static_cast<std::int64_t>(limit.rlim_cur) - used);
    available = available ? std::min(*available, left) : left;
  }
  return available;
}

}  // namespace descent
