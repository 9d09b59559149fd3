#include "data/text.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {
namespace {

// The code point of the well-formed sequence at text[i] and its length, or nothing (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
std::optional<std::pair<char32_t, std::size_t>> decode_one(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return std::pair{char32_t{lead}, std::size_t{1}};
  std::size_t length = 0;
  char32_t c = 0, lowest = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, c = lead & 0x1F, lowest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, c = lead & 0x0F, lowest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, c = lead & 0x07, lowest = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + length > text.size()) return std::nullopt;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return std::nullopt;
    c = (c << 6) | (byte(k) & 0x3F);
  }
  if (c < lowest || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return std::nullopt;
  return std::pair{c, length};
}

}  // namespace

std::u32string decode_utf8(std::string_view text, std::string_view origin) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t line = 1;
  for (std::size_t i = 0; i < text.size();) {
    const auto decoded = decode_one(text, i);
    if (!decoded) throw DataError(fmt::format("{}: line {} is not valid UTF-8", origin, line));
    out.push_back(decoded->first);
    if (decoded->first == U'\n') ++line;
    i += decoded->second;
  }
  return out;
}

std::u32string read_utf8_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(fmt::format("cannot open {}", name));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw IoError(fmt::format("cannot read {}", name));
  std::u32string text = decode_utf8(buffer.view(), name);
  if (text.empty()) throw DataError(fmt::format("{} is empty", name));
  return text;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  for (char32_t c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

Vocabulary Vocabulary::of(std::u32string_view text) {
  Vocabulary v;
  v.characters_.assign(text.begin(), text.end());
  std::sort(v.characters_.begin(), v.characters_.end());
  v.characters_.erase(std::unique(v.characters_.begin(), v.characters_.end()), v.characters_.end());
  return v;
}

Vocabulary Vocabulary::from_json(const nlohmann::json& json, std::string_view origin) {
  if (!json.is_object() || !json.contains("characters") || !json["characters"].is_array() ||
      json["characters"].empty())
    throw DataError(
        fmt::format("{}: \"characters\", a list of one-character strings, is missing", origin));
  Vocabulary v;
  for (const nlohmann::json& entry : json["characters"]) {
    const std::u32string c =
        entry.is_string() ? decode_utf8(entry.get<std::string>(), origin) : std::u32string();
    if (c.size() != 1)
      throw DataError(fmt::format("{}: vocabulary entry {} is not one character", origin,
                                  v.characters_.size()));
    if (!v.characters_.empty() && c[0] <= v.characters_.back())
      throw DataError(fmt::format("{}: vocabulary entry {} is out of order or repeated", origin,
                                  v.characters_.size()));
    v.characters_.push_back(c[0]);
  }
  return v;
}

nlohmann::json Vocabulary::to_json() const {
  nlohmann::json characters = nlohmann::json::array();
  for (char32_t c : characters_)
    characters.push_back(encode_utf8(std::u32string_view(&c, 1)));
  return {{"characters", characters}};
}

std::optional<std::int32_t> Vocabulary::id(char32_t c) const {
  const auto at = std::lower_bound(characters_.begin(), characters_.end(), c);
  if (at == characters_.end() || *at != c) return std::nullopt;
  return static_cast<std::int32_t>(at - characters_.begin());
}

std::vector<std::int32_t> Vocabulary::encode(std::u32string_view text,
                                             std::string_view origin) const {
  std::vector<std::int32_t> ids;
  ids.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto token = id(text[i]);
    if (!token)
      throw DataError(fmt::format(
          "{}: character '{}' (U+{:04X}) at position {} is not in the "
          "vocabulary",
          origin, encode_utf8(text.substr(i, 1)), static_cast<std::uint32_t>(text[i]), i));
    ids.push_back(*token);
  }
  return ids;
}

Dataset text_windows(std::span<const std::int32_t> tokens, std::int64_t context,
                     std::int64_t vocabulary_size) {
  if (context < 1) throw InvalidArgument(fmt::format("context must be >= 1, got {}", context));
  const auto n = static_cast<std::int64_t>(tokens.size());
  const std::int64_t windows = n > context ? (n - 1) / context : 0;
  Dataset data;
  data.sample_shape = {context};
  data.label_shape = {context};
  data.num_classes = static_cast<std::int32_t>(vocabulary_size);
  data.values.reserve(static_cast<std::size_t>(windows * context));
  data.labels.reserve(static_cast<std::size_t>(windows * context));
  for (std::int64_t w = 0; w < windows; ++w)
    for (std::int64_t t = 0; t < context; ++t) {
      data.values.push_back(static_cast<float>(tokens[w * context + t]));
      data.labels.push_back(tokens[w * context + t + 1]);
    }
  return data;
}

}  // namespace descent
