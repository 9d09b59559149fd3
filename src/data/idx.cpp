#include "data/idx.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>

#include "core/error.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

constexpr std::uint8_t kUnsignedByte = 0x08;
// Larger than any IDX file descent reads; guards the product of corrupt dimensions.
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 36;

// Whether the file starts with gzip's magic number (0x1F 0x8B); false if it cannot be read.
bool starts_with_gzip_magic(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  unsigned char magic[2] = {};
  const bool gzip = std::fread(magic, 1, 2, f) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
  std::fclose(f);
  return gzip;
}

// A file read through zlib: gzip streams are inflated, other files are read as they are.
class ZFile {
 public:
  explicit ZFile(const fs::path& path) : path_(path.string()) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      throw IoError(fmt::format("cannot open {}: {}", path_,
                                fs::exists(path, ec) ? "not a regular file" : "no such file"));
    const bool gzip = starts_with_gzip_magic(path_);
    file_ = gzopen(path_.c_str(), "rb");
    if (file_ == nullptr)
      throw IoError(fmt::format("cannot open {}: {}", path_, std::strerror(errno)));
    // A large buffer speeds up inflating, but zlib allocates three times its size on the first
    // read even for a plain file, which large reads bypass anyway: plain files keep the default.
    if (gzip) gzbuffer(file_, 1 << 17);
  }
  ~ZFile() { gzclose(file_); }
  ZFile(const ZFile&) = delete;
  ZFile& operator=(const ZFile&) = delete;

  // Reads up to `size` bytes; returns how many were read (fewer only at the end of the data).
  std::size_t read(void* out, std::size_t size) {
    auto* dst = static_cast<unsigned char*>(out);
    std::size_t done = 0;
    while (done < size) {
      const auto chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1u << 30));
      const int got = gzread(file_, dst + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        if (code == Z_ERRNO)
          throw IoError(fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
        throw corrupt(message);
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    if (done < size) {
      // A gzip stream cut short reads as a short count with Z_BUF_ERROR set.
      int code = 0;
      const char* message = gzerror(file_, &code);
      if (code != Z_OK && code != Z_BUF_ERROR) throw corrupt(message);
    }
    return done;
  }

  // The bytes left to read when the file is not compressed (zlib reads it directly), so that
  // a declared size can be checked before anything is allocated; nullopt for gzip streams.
  std::optional<std::uint64_t> remaining_if_plain() {
    if (gzdirect(file_) == 0) return std::nullopt;
    std::error_code ec;
    const std::uintmax_t size = fs::file_size(path_, ec);
    const z_off_t at = gztell(file_);
    if (ec || at < 0 || static_cast<std::uintmax_t>(at) > size) return std::nullopt;
    return size - static_cast<std::uintmax_t>(at);
  }

  const std::string& path() const { return path_; }

 private:
  // zlib's message starts with the path; keep only the reason.
  DataError corrupt(std::string_view message) const {
    if (message.starts_with(path_ + ": ")) message.remove_prefix(path_.size() + 2);
    return DataError(fmt::format("{}: corrupt gzip data ({})", path_, message));
  }

  std::string path_;
  gzFile file_ = nullptr;
};

struct IdxHeader {
  std::uint8_t type = 0;
  std::vector<std::int64_t> dims;
  std::uint64_t elements = 1;
};

std::string magic_string(const unsigned char* m) {
  return fmt::format("0x{:02X}{:02X}{:02X}{:02X}", m[0], m[1], m[2], m[3]);
}

std::string dims_string(const std::vector<std::int64_t>& dims) {
  std::string out;
  for (std::size_t i = 0; i < dims.size(); ++i)
    out += (i ? " x " : "") + std::to_string(dims[i]);
  return out;
}

IdxHeader read_header(ZFile& file, int expected_rank, std::string_view kind) {
  unsigned char magic[4];
  if (file.read(magic, 4) < 4)
    throw DataError(
        fmt::format("{}: not an IDX file (shorter than its 4-byte magic number)", file.path()));
  if (magic[0] != 0 || magic[1] != 0 || magic[3] == 0)
    throw DataError(
        fmt::format("{}: not an IDX file (magic number {})", file.path(), magic_string(magic)));
  IdxHeader h;
  h.type = magic[2];
  const int rank = magic[3];
  if (h.type != kUnsignedByte)
    throw DataError(
        fmt::format("{}: IDX element type 0x{:02X} is not supported (only unsigned bytes, 0x08)",
                    file.path(), h.type));
  if (expected_rank > 0 ? rank != expected_rank : rank < 2)
    throw DataError(fmt::format("{}: magic number {} is not an IDX {} file (expected {})",
                                file.path(), magic_string(magic), kind,
                                expected_rank > 0
                                    ? fmt::format("0x000008{:02X}", expected_rank)
                                    : std::string("rank 2 or more, e.g. 0x00000803")));
  for (int i = 0; i < rank; ++i) {
    unsigned char b[4];
    if (file.read(b, 4) < 4)
      throw DataError(fmt::format("{}: truncated IDX header (dimension {} of {} missing)",
                                  file.path(), i + 1, rank));
    const std::uint32_t d = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                            (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]};
    h.dims.push_back(d);
    h.elements *= d;
    if (h.elements > kMaxElements)
      throw DataError(
          fmt::format("{}: IDX header declares an implausibly large array", file.path()));
  }
  if (std::any_of(h.dims.begin() + 1, h.dims.end(), [](std::int64_t d) { return d == 0; }))
    throw DataError(
        fmt::format("{}: IDX dimensions {} include a zero", file.path(), dims_string(h.dims)));
  return h;
}

DataError truncated(const ZFile& file, const IdxHeader& h, std::uint64_t found) {
  return DataError(fmt::format("{}: truncated: the header declares {} ({} bytes), found {}",
                               file.path(), dims_string(h.dims), h.elements, found));
}

// Memory grows only with the data actually present: a plain file's size is checked before
// allocating, and a gzip stream (whose size is known only once inflated) is read in chunks.
std::vector<std::uint8_t> read_body(ZFile& file, const IdxHeader& h) {
  const auto remaining = file.remaining_if_plain();
  if (remaining && *remaining < h.elements) throw truncated(file, h, *remaining);
  // A plain file is read in one go; a gzip stream in chunks that double from 64 KiB.
  const std::uint64_t first_chunk = remaining ? h.elements : std::uint64_t{1} << 16;
  std::vector<std::uint8_t> data;
  while (data.size() < h.elements) {
    const std::size_t at = data.size();
    data.resize(at +
                std::min<std::uint64_t>(h.elements - at, std::max<std::uint64_t>(first_chunk, at)));
    const std::size_t got = file.read(data.data() + at, data.size() - at);
    if (at + got < data.size()) throw truncated(file, h, at + got);
  }
  unsigned char extra;
  if (file.read(&extra, 1) != 0)
    throw DataError(fmt::format("{}: more data than the {} the header declares", file.path(),
                                dims_string(h.dims)));
  return data;
}

// `name.gz` if present, else `name`.
fs::path pick(const fs::path& dir, const std::string& name) {
  std::error_code ec;
  const fs::path gz = dir / (name + ".gz");
  return fs::exists(gz, ec) ? gz : dir / name;
}

bool holds_fashion_mnist(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "train-images-idx3-ubyte.gz", ec) ||
         fs::exists(dir / "train-images-idx3-ubyte", ec);
}

}  // namespace

Dataset read_idx(const fs::path& images, const fs::path& labels, std::int32_t num_classes) {
  if (num_classes < 0)
    throw InvalidArgument(fmt::format("num_classes {} is negative", num_classes));
  Dataset data;
  std::int64_t n = 0;
  {
    ZFile file(images);
    const IdxHeader h = read_header(file, 0, "image");
    n = h.dims[0];
    if (h.dims.size() == 3)
      data.sample_shape = {1, h.dims[1], h.dims[2]};
    else
      data.sample_shape.assign(h.dims.begin() + 1, h.dims.end());
    data.bytes = read_body(file, h);
  }
  {
    ZFile file(labels);
    const IdxHeader h = read_header(file, 1, "label");
    if (h.dims[0] != n)
      throw DataError(fmt::format("{} has {} labels but {} has {} images", file.path(), h.dims[0],
                                  images.string(), n));
    const std::vector<std::uint8_t> raw = read_body(file, h);
    data.labels.assign(raw.begin(), raw.end());
    const std::int32_t largest =
        raw.empty() ? 0 : *std::max_element(data.labels.begin(), data.labels.end());
    if (num_classes == 0) {
      num_classes = largest + 1;
    } else if (largest >= num_classes) {
      const auto at = std::find(data.labels.begin(), data.labels.end(), largest);
      throw DataError(fmt::format("{}: label {} of sample {} is outside [0, {})", file.path(),
                                  largest, at - data.labels.begin(), num_classes));
    }
    data.num_classes = num_classes;
  }
  return data;
}

fs::path find_fashion_mnist() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("DESCENT_DATA_DIR"); env != nullptr && *env != '\0') {
    candidates.emplace_back(fs::path(env) / "fashion-mnist");
    candidates.emplace_back(env);
  }
  candidates.emplace_back("/usr/share/datasets/fashion-mnist");
  std::string searched;
  for (const fs::path& dir : candidates) {
    if (holds_fashion_mnist(dir)) return dir;
    searched += (searched.empty() ? "" : ", ") + dir.string();
  }
  throw IoError(fmt::format(
      "Fashion-MNIST not found (searched {}): install the Debian package dataset-fashion-mnist "
      "(scripts/setup.sh) or set DESCENT_DATA_DIR to a folder holding its IDX files",
      searched));
}

TrainTestSplit load_fashion_mnist(const fs::path& dir) {
  static const std::vector<std::string> kNames = {"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                                  "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                                  "Bag",         "Ankle boot"};
  TrainTestSplit split{
      read_idx(pick(dir, "train-images-idx3-ubyte"), pick(dir, "train-labels-idx1-ubyte"), 10),
      read_idx(pick(dir, "t10k-images-idx3-ubyte"), pick(dir, "t10k-labels-idx1-ubyte"), 10)};
  split.train.class_names = kNames;
  split.test.class_names = kNames;
  return split;
}

TrainTestSplit load_fashion_mnist() {
  return load_fashion_mnist(find_fashion_mnist());
}

}  // namespace descent
