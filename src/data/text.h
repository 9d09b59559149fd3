// Character-level text for language models: a UTF-8 file read as Unicode code points, the
// vocabulary of its distinct characters (sorted by code point, so the same text always gives the
// same token ids), and windows of `context` characters whose targets are the next characters:
// the window shifted by one, a label per position (Dataset::label_shape {context}).
#pragma once

#include <cstdint>
#include <filesystem>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.h"

namespace descent {

// The text of a UTF-8 file as code points. DataError "<file>: line N is not valid UTF-8" at the
// first malformed, overlong, surrogate or out-of-range sequence, and "<file> is empty" for a file
// without characters; IoError when it cannot be read.
std::u32string read_utf8_file(const std::filesystem::path& file);
// `text` decoded; DataError "<origin>: line N is not valid UTF-8" as above.
std::u32string decode_utf8(std::string_view text, std::string_view origin);
// The UTF-8 bytes of the code points.
std::string encode_utf8(std::u32string_view text);

class Vocabulary {
 public:
  // The distinct characters of `text`, sorted by code point.
  static Vocabulary of(std::u32string_view text);
  // {"characters": ["\n", " ", "a", ...]}, the id of a character its index; DataError naming
  // `origin` when the list is missing, not one character per string, unsorted or repeated.
  static Vocabulary from_json(const nlohmann::json& json, std::string_view origin);
  nlohmann::json to_json() const;

  std::int64_t size() const { return static_cast<std::int64_t>(characters_.size()); }
  // The token id of `c`, or nothing when `c` is not in the vocabulary.
  std::optional<std::int32_t> id(char32_t c) const;
  char32_t character(std::int32_t id) const { return characters_.at(static_cast<std::size_t>(id)); }
  // The token ids of `text`; DataError naming `origin` and the first character not in the
  // vocabulary.
  std::vector<std::int32_t> encode(std::u32string_view text, std::string_view origin) const;

 private:
  std::vector<char32_t> characters_;
};

// A character model's loss (mean cross-entropy in nats) in bits per character: loss / ln 2.
inline double bits_per_character(double loss) {
  return loss / std::numbers::ln2;
}

// The windows text[i·context, i·context + context) for every i with a next character after the
// window; features are the token ids (as floats), labels the ids of the next characters
// (text[i·context + 1, ...]); num_classes is the vocabulary's size. Non-overlapping windows: each
// character is a target once. Empty when the text is shorter than context + 1.
Dataset text_windows(std::span<const std::int32_t> tokens, std::int64_t context,
                     std::int64_t vocabulary_size);

}  // namespace descent
