#include "data/text.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "core/error.h"

namespace descent {
namespace {

namespace fs = std::filesystem;

std::string data_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "no DataError";
}

fs::path write_bytes(const std::string& name, const std::string& bytes) {
  const fs::path path = fs::temp_directory_path() / ("descent_text_" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(Text, DecodesUtf8AndEncodesItBack) {
  const std::string bytes = "a\xC3\xA9\n\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é \n € 😀
  const std::u32string text = decode_utf8(bytes, "t");
  EXPECT_EQ(text, (std::u32string{U'a', U'\u00E9', U'\n', U'\u20AC', U'\U0001F600'}));
  EXPECT_EQ(encode_utf8(text), bytes);
}

TEST(Text, RefusesMalformedUtf8NamingTheLine) {
  EXPECT_EQ(data_error([] { decode_utf8("ok\nok\nbad \xFF here", "f.txt"); }),
            "f.txt: line 3 is not valid UTF-8");
  // Truncated, overlong, a surrogate, beyond U+10FFFF, a stray continuation byte.
  for (const char* bad : {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80"})
    EXPECT_EQ(data_error([&] { decode_utf8(bad, "f"); }), "f: line 1 is not valid UTF-8") << bad;
}

TEST(Text, ReadsAFileAndRefusesAnEmptyOrMissingOne) {
  EXPECT_EQ(read_utf8_file(write_bytes("ok.txt", "hi\n")), U"hi\n");
  const fs::path empty = write_bytes("empty.txt", "");
  EXPECT_EQ(data_error([&] { read_utf8_file(empty); }), empty.string() + " is empty");
  const fs::path bad = write_bytes("bad.txt", "one\ntwo\xFE\n");
  EXPECT_EQ(data_error([&] { read_utf8_file(bad); }), bad.string() + ": line 2 is not valid UTF-8");
  EXPECT_THROW(read_utf8_file(fs::temp_directory_path() / "descent_text_missing.txt"), IoError);
}

TEST(Text, VocabularyIsTheSortedDistinctCodePoints) {
  const Vocabulary v = Vocabulary::of(U"hello, w\u00E9rld\n");
  EXPECT_EQ(v.size(), 11);  // \n, space, ',', d e h l o r w, é
  EXPECT_EQ(v.character(0), U'\n');
  EXPECT_EQ(v.character(1), U' ');
  EXPECT_EQ(v.character(10), U'\u00E9');
  EXPECT_EQ(v.id(U'h'), 5);
  EXPECT_FALSE(v.id(U'z').has_value());
  EXPECT_EQ(v.encode(U"hell", "t"), (std::vector<std::int32_t>{5, 4, 6, 6}));
  EXPECT_EQ(data_error([&] { v.encode(U"hez", "--prompt"); }),
            "--prompt: character 'z' (U+007A) at position 2 is not in the vocabulary");
}

TEST(Text, VocabularyRoundTripsThroughJsonAndRefusesBadLists) {
  const Vocabulary v = Vocabulary::of(U"ab\n\u20AC");
  const Vocabulary back = Vocabulary::from_json(v.to_json(), "vocab.json");
  ASSERT_EQ(back.size(), v.size());
  for (std::int32_t i = 0; i < v.size(); ++i)
    EXPECT_EQ(back.character(i), v.character(i));
  EXPECT_EQ(v.to_json()["characters"][3], "\xE2\x82\xAC");
  using nlohmann::json;
  EXPECT_EQ(data_error([] { Vocabulary::from_json(json::object(), "v.json"); }),
            "v.json: \"characters\", a list of one-character strings, is missing");
  EXPECT_EQ(data_error([] {
              Vocabulary::from_json({{"characters", {"a", "bc"}}}, "v.json");
            }),
            "v.json: vocabulary entry 1 is not one character");
  EXPECT_EQ(data_error([] {
              Vocabulary::from_json({{"characters", {"b", "a"}}}, "v.json");
            }),
            "v.json: vocabulary entry 1 is out of order or repeated");
}

TEST(Text, WindowsTargetTheNextTokenAtEveryPosition) {
  const std::vector<std::int32_t> tokens = {0, 1, 2, 3, 4, 5, 6, 7};
  const Dataset d = text_windows(tokens, 3, 9);
  ASSERT_NO_THROW(d.validate("text"));
  // Windows at 0 and 3; the one at 6 has no next character for its last position.
  EXPECT_EQ(d.size(), 2);
  EXPECT_EQ(d.sample_shape, Shape{3});
  EXPECT_EQ(d.label_shape, Shape{3});
  EXPECT_EQ(d.num_classes, 9);
  EXPECT_EQ(d.values, (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(text_windows(std::span(tokens).first(4), 3, 9).size(), 1);  // context + 1 tokens
  EXPECT_EQ(text_windows(std::span(tokens).first(3), 3, 9).size(), 0);
}

TEST(Text, BitsPerCharacterAreTheLossOverLnTwo) {
  EXPECT_DOUBLE_EQ(bits_per_character(std::log(2.0)), 1.0);
  EXPECT_DOUBLE_EQ(bits_per_character(std::log(65.0)), std::log2(65.0));
}

}  // namespace
}  // namespace descent
