#include "train/weights_file.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <bit>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

static_assert(std::endian::native == std::endian::little, "weights files are little-endian");

constexpr char kMagic[8] = {'D', 'E', 'S', 'C', 'E', 'N', 'T', 'W'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kPrefix = sizeof(kMagic) + 4 + 8;

template <class T>
void append(std::vector<char>& out, const T& value) {
  const char* p = reinterpret_cast<const char*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}

void write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0)
      throw IoError(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

void write_weights_file(const std::filesystem::path& path, const StateDict& state) {
  nlohmann::json tensors = nlohmann::json::array();
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : state.tensors) {
    tensors.push_back(
        {{"name", name}, {"shape", tensor.shape()}, {"offset", offset}, {"size", tensor.size()}});
    offset += static_cast<std::uint64_t>(tensor.size()) * sizeof(float);
  }
  const std::string header = nlohmann::json{{"meta", state.meta}, {"tensors", tensors}}.dump();
  std::vector<char> bytes(kMagic, kMagic + sizeof(kMagic));
  append(bytes, kVersion);
  append(bytes, static_cast<std::uint64_t>(header.size()));
  bytes.insert(bytes.end(), header.begin(), header.end());
  for (const auto& [name, tensor] : state.tensors) {
    const char* p = reinterpret_cast<const char*>(tensor.data());
    bytes.insert(bytes.end(), p, p + tensor.size() * sizeof(float));
  }
  const auto crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
  append(bytes, crc);

  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw IoError(fmt::format("cannot create {}: {}", temporary.string(), std::strerror(errno)));
  try {
    write_all(fd, bytes.data(), bytes.size(), temporary);
    if (::fsync(fd) != 0)
      throw IoError(fmt::format("cannot sync {}: {}", temporary.string(), std::strerror(errno)));
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    throw IoError(fmt::format("cannot rename {} to {}: {}", temporary.string(), path.string(),
                              std::strerror(errno)));
  }
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

StateDict read_weights_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot open {}", path.string()));
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string where = path.string();
  if (bytes.size() < kPrefix + 4 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw DataError(fmt::format("{}: not a descent weights file", where));
  std::uint32_t version, stored_crc;
  std::uint64_t header_size;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&header_size, bytes.data() + 12, 8);
  if (version != kVersion)
    throw DataError(fmt::format("{}: unsupported weights format version {}", where, version));
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  const auto crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
  if (crc != stored_crc)
    throw DataError(fmt::format("{}: checksum mismatch (the file is damaged)", where));
  const std::uint64_t available = bytes.size() - kPrefix - 4;
  if (header_size > available)
    throw DataError(fmt::format("{}: header length past the end of the file", where));
  const char* data = bytes.data() + kPrefix + header_size;
  const std::uint64_t data_size = available - header_size;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + kPrefix, bytes.begin() + kPrefix + header_size);
  } catch (const nlohmann::json::exception&) {
    throw DataError(fmt::format("{}: malformed header", where));
  }
  StateDict state;
  std::uint64_t expected_offset = 0;
  try {
    state.meta = header.at("meta");
    for (const auto& entry : header.at("tensors")) {
      const std::string name = entry.at("name").get<std::string>();
      const Shape shape = entry.at("shape").get<Shape>();
      const auto offset = entry.at("offset").get<std::uint64_t>();
      const auto size = entry.at("size").get<std::uint64_t>();
      if (offset != expected_offset || static_cast<std::int64_t>(size) != shape_size(shape) ||
          size > (data_size - offset) / sizeof(float))
        throw DataError(fmt::format("{}: tensor \"{}\" has an inconsistent offset, size or shape",
                                    where, name));
      Tensor tensor(shape);
      std::memcpy(tensor.data(), data + offset, size * sizeof(float));
      state.tensors.emplace(name, std::move(tensor));
      expected_offset = offset + size * sizeof(float);
    }
  } catch (const nlohmann::json::exception&) {
    throw DataError(fmt::format("{}: malformed header", where));
  } catch (const InvalidArgument& e) {
    throw DataError(fmt::format("{}: {}", where, e.what()));
  }
  if (expected_offset != data_size)
    throw DataError(fmt::format("{}: data size does not match the header", where));
  return state;
}

}  // namespace descent
