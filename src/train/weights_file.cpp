#include "train/weights_file.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "core/atomic_file.h"
#include "core/error.h"

namespace descent {
namespace {

static_assert(std::endian::native == std::endian::little, "weights files are little-endian");

constexpr char kMagic[8] = {'D', 'E', 'S', 'C', 'E', 'N', 'T', 'W'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kFixedHeaderSize = sizeof(kMagic) + 4 + 8;

template <class T>
void append(std::vector<char>& out, const T& value) {
  const char* p = reinterpret_cast<const char*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
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

  write_file_atomically(path, bytes);
}

StateDict read_weights_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot open {}", path.string()));
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string where = path.string();
  if (bytes.size() < kFixedHeaderSize + 4 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
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
  const std::uint64_t available = bytes.size() - kFixedHeaderSize - 4;
  if (header_size > available)
    throw DataError(fmt::format("{}: header length past the end of the file", where));
  const char* data = bytes.data() + kFixedHeaderSize + header_size;
  const std::uint64_t data_size = available - header_size;

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + kFixedHeaderSize,
                                   bytes.begin() + kFixedHeaderSize + header_size);
  } catch (const nlohmann::json::exception&) {
    throw DataError(fmt::format("{}: malformed header", where));
  }
  StateDict state;
  std::uint64_t expected_offset = 0;
  try {
    state.meta = header.at("meta");
    for (const auto& entry : header.at("tensors")) {
      const std::string name = entry.at("name").get<std::string>();
      // Converting a float such as 1e300 to an integer is undefined: only integers are sizes.
      const auto is_integer = [](const nlohmann::json& v) { return v.is_number_integer(); };
      const nlohmann::json& dims = entry.at("shape");
      if (!dims.is_array() || !std::all_of(dims.begin(), dims.end(), is_integer) ||
          !is_integer(entry.at("offset")) || !is_integer(entry.at("size")))
        throw DataError(
            fmt::format("{}: tensor \"{}\": shape, offset and size must be integers", where, name));
      const Shape shape = dims.get<Shape>();
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
