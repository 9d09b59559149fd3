#include "data/npy.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

static_assert(std::endian::native == std::endian::little, "the NPY reader assumes little-endian");

constexpr std::string_view kMagic = "\x93NUMPY";
// Longer than any key or type code in an NPY header.
constexpr std::size_t kMaxString = 32;

struct TypeCode {
  std::string_view code;  // descr without its byte-order character
  NpyType type;
  std::size_t size;
};

constexpr std::array<TypeCode, 11> kTypes = {{{"b1", NpyType::kBool, 1},
                                              {"i1", NpyType::kInt8, 1},
                                              {"u1", NpyType::kUint8, 1},
                                              {"i2", NpyType::kInt16, 2},
                                              {"u2", NpyType::kUint16, 2},
                                              {"i4", NpyType::kInt32, 4},
                                              {"u4", NpyType::kUint32, 4},
                                              {"i8", NpyType::kInt64, 8},
                                              {"u8", NpyType::kUint64, 8},
                                              {"f4", NpyType::kFloat32, 4},
                                              {"f8", NpyType::kFloat64, 8}}};

// The header's dict literal, read token by token. Accepts exactly what np.save writes (and the
// same with other spacing, either quote character and a trailing comma), nothing else.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view origin) : text_(text), origin_(origin) {}

  struct Header {
    std::string descr;
    bool fortran_order = false;
    Shape shape;
  };

  Header parse() {
    Header h;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr" && !seen_descr) {
        h.descr = string_literal();
        seen_descr = true;
      } else if (key == "fortran_order" && !seen_order) {
        h.fortran_order = boolean();
        seen_order = true;
      } else if (key == "shape" && !seen_shape) {
        h.shape = shape();
        seen_shape = true;
      } else {
        throw fail(fmt::format("unexpected key '{}'", key));
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (at_ != text_.size()) throw fail("text after the closing '}'");
    if (!seen_descr || !seen_order || !seen_shape)
      throw fail("it needs the keys 'descr', 'fortran_order' and 'shape'");
    return h;
  }

 private:
  DataError fail(std::string_view problem) const {
    return DataError(fmt::format("{}: malformed NPY header ({})", origin_, problem));
  }

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }

  bool accept(char c) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!accept(c)) throw fail(fmt::format("expected '{}' at byte {}", c, at_));
  }

  std::string string_literal() {
    skip_space();
    if (at_ >= text_.size() || (text_[at_] != '\'' && text_[at_] != '"'))
      throw fail(fmt::format("expected a quoted string at byte {}", at_));
    const char quote = text_[at_++];
    const std::size_t end = text_.find(quote, at_);
    if (end == std::string_view::npos) throw fail("unterminated string");
    std::string out(text_.substr(at_, end - at_));
    if (out.find('\\') != std::string::npos) throw fail("escapes in strings are not supported");
    // Keys and type codes are short printable ASCII words; anything else would end up in a
    // one-line error message.
    const auto unprintable = [](char c) { return c < ' ' || c > '~'; };
    if (out.size() > kMaxString || std::any_of(out.begin(), out.end(), unprintable))
      throw fail(fmt::format("the string at byte {} is not a key or a type code", at_ - 1));
    at_ = end + 1;
    return out;
  }

  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(at_).starts_with(word)) {
        at_ += std::strlen(word);
        return value;
      }
    }
    throw fail("'fortran_order' must be True or False");
  }

  Shape shape() {
    expect('(');
    Shape out;
    while (!accept(')')) {
      out.push_back(dimension());
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return out;
  }

  std::int64_t dimension() {
    skip_space();
    if (at_ < text_.size() && text_[at_] == '-') throw fail("negative dimension in 'shape'");
    std::int64_t value = 0;
    const std::size_t first = at_;
    for (; at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9'; ++at_) {
      const int digit = text_[at_] - '0';
      if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10)
        throw fail("a dimension in 'shape' is too large");
      value = value * 10 + digit;
    }
    if (at_ == first) throw fail(fmt::format("expected a dimension at byte {}", at_));
    return value;
  }

  std::string_view text_;
  std::string_view origin_;
  std::size_t at_ = 0;
};

TypeCode element_type(const std::string& descr, std::string_view origin) {
  if (descr.size() == 3) {
    const char order = descr[0];
    for (const TypeCode& t : kTypes) {
      if (descr.substr(1) != t.code) continue;
      // '|' (not applicable) and either order suit single bytes; '=' is native, little here.
      if (order == '<' || order == '=' || (t.size == 1 && (order == '|' || order == '>'))) return t;
      if (order == '>')
        throw DataError(fmt::format(
            "{}: big-endian element type '{}' is not supported (save with arr.astype('<{}'))",
            origin, descr, t.code));
    }
  }
  if (descr == "|O" || descr == "O")
    throw DataError(fmt::format(
        "{}: object arrays are not supported (they hold pickled Python objects)", origin));
  throw DataError(
      fmt::format("{}: element type '{}' is not supported (supported: bool, int8 to int64, uint8 "
                  "to uint64, float32, float64, little-endian)",
                  origin, descr));
}

// A little-endian integer of `n` bytes at `p`.
std::uint64_t read_le(const char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i)
    v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

// Element i of an array of T stored little-endian at `data`.
template <class T>
double element(const std::vector<unsigned char>& data, std::int64_t i) {
  T v;
  std::memcpy(&v, data.data() + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
  return static_cast<double>(v);
}

std::string shape_text(const Shape& shape) {
  return shape.empty() ? "() (a scalar)" : shape_string(shape);
}

}  // namespace

std::size_t NpyArray::item_size() const {
  return std::find_if(kTypes.begin(), kTypes.end(),
                      [&](const TypeCode& t) { return t.type == type; })
      ->size;
}

double NpyArray::value(std::int64_t i) const {
  switch (type) {
    case NpyType::kBool:
      return data[static_cast<std::size_t>(i)] != 0 ? 1.0 : 0.0;
    case NpyType::kInt8:
      return element<std::int8_t>(data, i);
    case NpyType::kUint8:
      return element<std::uint8_t>(data, i);
    case NpyType::kInt16:
      return element<std::int16_t>(data, i);
    case NpyType::kUint16:
      return element<std::uint16_t>(data, i);
    case NpyType::kInt32:
      return element<std::int32_t>(data, i);
    case NpyType::kUint32:
      return element<std::uint32_t>(data, i);
    case NpyType::kInt64:
      return element<std::int64_t>(data, i);
    case NpyType::kUint64:
      return element<std::uint64_t>(data, i);
    case NpyType::kFloat32:
      return element<float>(data, i);
    case NpyType::kFloat64:
      return element<double>(data, i);
  }
  return 0.0;
}

NpyArray parse_npy(std::span<const char> bytes, std::string_view origin) {
  const std::string_view file(bytes.data(), bytes.size());
  if (!file.starts_with(kMagic))
    throw DataError(fmt::format("{}: not an NPY file (no \\x93NUMPY magic)", origin));
  if (file.size() < kMagic.size() + 2)
    throw DataError(fmt::format("{}: truncated NPY file (no format version)", origin));
  const int major = static_cast<unsigned char>(file[6]);
  const int minor = static_cast<unsigned char>(file[7]);
  if (major < 1 || major > 3 || minor != 0)
    throw DataError(
        fmt::format("{}: NPY format version {}.{} is not supported (1.0, 2.0 and 3.0 are)", origin,
                    major, minor));
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagic.size() + 2 + length_bytes;
  if (file.size() < prefix)
    throw DataError(fmt::format("{}: truncated NPY file (no header length)", origin));
  const std::uint64_t header_length = read_le(file.data() + 8, length_bytes);
  if (header_length > file.size() - prefix)
    throw DataError(fmt::format("{}: NPY header length {} runs past the end of the file ({} bytes)",
                                origin, header_length, file.size()));
  const HeaderParser::Header h = HeaderParser(file.substr(prefix, header_length), origin).parse();
  const TypeCode type = element_type(h.descr, origin);
  if (h.fortran_order)
    throw DataError(fmt::format(
        "{}: fortran_order True is not supported (save with np.ascontiguousarray)", origin));

  // The shape product and its byte count, with overflow checks, against the bytes present. The
  // nonzero dimensions' product must fit too, so that every part of the shape has a size.
  std::int64_t product = 1;
  for (std::int64_t d : h.shape) {
    if (d != 0 && product > std::numeric_limits<std::int64_t>::max() /
                                static_cast<std::int64_t>(type.size) / d)
      throw DataError(fmt::format("{}: NPY shape {} is too large", origin, shape_text(h.shape)));
    product *= d == 0 ? 1 : d;
  }
  const bool empty = std::find(h.shape.begin(), h.shape.end(), 0) != h.shape.end();
  const std::uint64_t needed = empty ? 0 : static_cast<std::uint64_t>(product) * type.size;
  const std::uint64_t present = file.size() - prefix - header_length;
  if (present < needed)
    throw DataError(fmt::format("{}: truncated: shape {} of '{}' needs {} bytes of data, found {}",
                                origin, shape_text(h.shape), h.descr, needed, present));
  if (present > needed)
    throw DataError(fmt::format("{}: {} bytes after the data of shape {} of '{}'", origin,
                                present - needed, shape_text(h.shape), h.descr));

  NpyArray array;
  array.type = type.type;
  array.shape = h.shape;
  const char* data = file.data() + prefix + header_length;
  array.data.assign(data, data + needed);
  return array;
}

NpyArray read_npy_array(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot open {}", path.string()));
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError(fmt::format("cannot read {}", path.string()));
  return parse_npy(bytes, path.string());
}

Dataset read_npy(const std::filesystem::path& features, const std::filesystem::path& labels,
                 std::int32_t num_classes) {
  if (num_classes < 0)
    throw InvalidArgument(fmt::format("num_classes {} is negative", num_classes));
  const std::string x_name = features.string(), y_name = labels.string();
  Dataset data;
  std::int64_t n = 0;
  {
    NpyArray x = read_npy_array(features);
    if (x.shape.empty())
      throw DataError(fmt::format("{}: a scalar, not an array of samples", x_name));
    n = x.shape[0];
    data.sample_shape.assign(x.shape.begin() + 1, x.shape.end());
    if (data.sample_shape.empty()) data.sample_shape = {1};
    if (n == 0 || shape_size(data.sample_shape) == 0)
      throw DataError(fmt::format("{}: shape {} holds no data", x_name, shape_string(x.shape)));
    if (x.type == NpyType::kUint8) {
      data.bytes = std::move(x.data);
      data.byte_scale = 1.0f;
    } else {
      data.values.resize(static_cast<std::size_t>(x.size()));
      for (std::int64_t i = 0; i < x.size(); ++i)
        data.values[i] = static_cast<float>(x.value(i));
    }
  }
  const NpyArray y = read_npy_array(labels);
  if (y.shape.empty() || y.shape[0] != n)
    throw DataError(fmt::format("{} has shape {} but {} has {} samples: labels need shape ({},...)",
                                y_name, shape_text(y.shape), x_name, n, n));
  if (y.is_integer()) {
    if (y.shape.size() != 1)
      throw DataError(fmt::format(
          "{}: integer labels must have shape ({},) (class indices), not {}; save regression "
          "targets as floats",
          y_name, n, shape_string(y.shape)));
    const std::int64_t limit = num_classes > 0 ? num_classes : kMaxClasses;
    data.labels.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      const double label = y.value(i);
      if (label < 0 || label >= static_cast<double>(limit))
        throw DataError(
            fmt::format("{}: label {} of sample {} is outside [0, {})", y_name, label, i, limit));
      data.labels[i] = static_cast<std::int32_t>(label);
    }
    data.num_classes = num_classes > 0
                           ? num_classes
                           : *std::max_element(data.labels.begin(), data.labels.end()) + 1;
  } else {
    if (y.shape.size() > 2)
      throw DataError(fmt::format("{}: targets must have shape ({},) or ({}, k), not {}", y_name, n,
                                  n, shape_string(y.shape)));
    data.target_width = y.shape.size() == 2 ? y.shape[1] : 1;
    if (data.target_width == 0)
      throw DataError(fmt::format("{}: shape {} holds no targets", y_name, shape_string(y.shape)));
    data.targets.resize(static_cast<std::size_t>(y.size()));
    for (std::int64_t i = 0; i < y.size(); ++i) {
      data.targets[i] = static_cast<float>(y.value(i));
      if (!std::isfinite(data.targets[i]))
        throw DataError(fmt::format("{}: target {} of sample {} is {}", y_name,
                                    i % data.target_width, i / data.target_width, data.targets[i]));
    }
  }
  data.validate(x_name);
  return data;
}

}  // namespace descent
