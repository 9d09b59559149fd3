// The readers that take a path get each fuzz input through a file in /dev/shm (memory, not disk),
// one per process so that parallel fuzzing jobs do not share it.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace descent::fuzz {

inline std::filesystem::path input_file(const std::string& name) {
  return "/dev/shm/descent_fuzz_" + std::to_string(::getpid()) + "_" + name;
}

// Replaces the file's contents with `data`; aborts (a finding) if /dev/shm cannot be written.
inline void write_input(const std::filesystem::path& path, const std::uint8_t* data,
                        std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || (size > 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0)
    std::abort();
}

}  // namespace descent::fuzz
