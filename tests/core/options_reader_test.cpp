// OptionsReader: the one set of rules for options read from JSON (the integer rule, types,
// unknown and missing keys, enums, optionals, nested structs) and the writer and names derived
// from the same field list.
#include "core/options_reader.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace descent {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

enum class Colour { red, dark_blue };

constexpr auto enum_names(Colour) {
  return std::array{EnumName<Colour>{"red", Colour::red},
                    EnumName<Colour>{"dark_blue", Colour::dark_blue}};
}

struct Limits {
  std::optional<double> ceiling;

  static constexpr auto fields() {
    return std::tuple{field("ceiling", &Limits::ceiling, Presence::omitted_when_empty)};
  }
};

struct Example {
  std::int64_t count = 0;
  double rate = 0.5;
  bool fast = false;
  std::string label = "x";
  Colour colour = Colour::red;
  std::optional<double> target = 1.0;
  std::array<double, 2> pair = {0.1, 0.2};
  std::vector<std::int64_t> steps = {};
  int small = 3;
  Limits limits = {};

  static constexpr auto fields() {
    return std::tuple{field("count", &Example::count, Presence::required),
                      field("rate", &Example::rate),
                      field("fast", &Example::fast),
                      field("label", &Example::label),
                      field("colour", &Example::colour),
                      field("target", &Example::target),
                      field("pair", &Example::pair),
                      field("steps", &Example::steps),
                      field("small", &Example::small),
                      nested_fields(&Example::limits)};
  }
};

Example read(const json& j) {
  return read_options<Example>("example", "parameter", j);
}

std::string error(const json& j) {
  try {
    read(j);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no InvalidArgument";
}

TEST(OptionsReader, AnIntegerIsAJsonIntegerOrANumberWithAnExactIntegerValue) {
  EXPECT_EQ(read({{"count", 3}}).count, 3);
  EXPECT_EQ(read({{"count", 3.0}}).count, 3);
  EXPECT_EQ(read({{"count", -1e3}}).count, -1000);
  EXPECT_EQ(read({{"count", 1}, {"small", 2147483647.0}}).small, 2147483647);
  EXPECT_THAT(error({{"count", 3.5}}),
              HasSubstr("example: parameter 'count' must be an integer, got 3.5"));
  EXPECT_THAT(error({{"count", 1e300}}), HasSubstr("'count' must be an integer, got 1e+300"));
  EXPECT_THAT(error({{"count", 9223372036854775808.0}}), HasSubstr("must be an integer"));
  EXPECT_THAT(error({{"count", 18446744073709551615u}}), HasSubstr("must be an integer"));
  EXPECT_THAT(error({{"count", 1}, {"small", std::int64_t{1} << 40}}),
              HasSubstr("'small' must be an integer, got 1099511627776"));
  EXPECT_THAT(error({{"count", 1}, {"small", 2147483648.0}}), HasSubstr("must be an integer"));
  EXPECT_THAT(error({{"count", "3"}}), HasSubstr("'count' must be an integer, got \"3\""));
  EXPECT_THAT(error({{"count", true}}), HasSubstr("must be an integer, got true"));
}

TEST(OptionsReader, ReadsEveryKindOfField) {
  const Example e = read({{"count", 2},
                          {"rate", 1},
                          {"fast", true},
                          {"label", "y"},
                          {"colour", "dark_blue"},
                          {"target", nullptr},
                          {"pair", {0.5, 0.75}},
                          {"steps", {1, 2.0, 5}},
                          {"ceiling", 4.5}});
  EXPECT_EQ(e.rate, 1.0);
  EXPECT_TRUE(e.fast);
  EXPECT_EQ(e.label, "y");
  EXPECT_EQ(e.colour, Colour::dark_blue);
  EXPECT_FALSE(e.target.has_value());
  EXPECT_THAT(e.pair, ElementsAre(0.5, 0.75));
  EXPECT_THAT(e.steps, ElementsAre(1, 2, 5));
  EXPECT_EQ(e.limits.ceiling, 4.5);
}

TEST(OptionsReader, KeysLeftOutKeepTheStartingValues) {
  const Example e = read_options<Example>("example", "parameter", {{"count", 1}},
                                          Example{.rate = 0.25, .colour = Colour::dark_blue});
  EXPECT_EQ(e.rate, 0.25);
  EXPECT_EQ(e.colour, Colour::dark_blue);
  EXPECT_EQ(e.target, 1.0);
}

TEST(OptionsReader, WrongTypesNameTheKeyAndTheExpectedType) {
  EXPECT_THAT(error({{"count", 1}, {"rate", "fast"}}),
              HasSubstr("example: parameter 'rate' must be a number, got \"fast\""));
  EXPECT_THAT(error({{"count", 1}, {"fast", 1}}), HasSubstr("'fast' must be true or false"));
  EXPECT_THAT(error({{"count", 1}, {"label", 2}}), HasSubstr("'label' must be a string, got 2"));
  EXPECT_THAT(error({{"count", 1}, {"target", "x"}}), HasSubstr("'target' must be a number"));
  EXPECT_THAT(error({{"count", 1}, {"pair", {1}}}),
              HasSubstr("'pair' must be an array of two numbers, got [1]"));
  EXPECT_THAT(error({{"count", 1}, {"pair", {1, "2"}}}), HasSubstr("an array of two numbers"));
  EXPECT_THAT(error({{"count", 1}, {"steps", 3}}),
              HasSubstr("'steps' must be a list of integers, got 3"));
  EXPECT_THAT(error({{"count", 1}, {"steps", {1, 2.5}}}),
              HasSubstr("'steps[1]' must be an integer, got 2.5"));
  EXPECT_THAT(error({{"count", 1}, {"colour", "blue"}}),
              HasSubstr("example: unknown colour 'blue' (must be \"red\" or \"dark_blue\")"));
  EXPECT_THAT(error(json::array({1})),
              HasSubstr("example: parameters must be a JSON object, got [1]"));
}

TEST(OptionsReader, NestedValuesAreNotDumpedIntoMessages) {
  json deep = json::array();
  for (int i = 0; i < 3; ++i)
    deep = json::array({deep});
  const std::string message = error({{"count", deep}});
  EXPECT_THAT(message, HasSubstr("must be an integer, got a nested array"));
  EXPECT_THAT(error({{"count", std::string(1000, 'x')}}).size(), ::testing::Lt(200u));
}

TEST(OptionsReader, UnknownAndMissingKeysAreNamed) {
  EXPECT_THAT(error({{"count", 1}, {"rat", 2}}),
              HasSubstr("example: unknown parameter 'rat' (known: count, rate, fast, label, "
                        "colour, target, pair, steps, small, ceiling)"));
  EXPECT_THAT(error(json::object()), HasSubstr("example: missing parameter 'count'"));
  EXPECT_THAT(error(nullptr), HasSubstr("missing parameter 'count'"));
}

TEST(OptionsReader, BespokeKeysCountAsKnown) {
  const json params = {{"count", 1}, {"inner", {{"a", 1}}}};
  OptionsReader reader("example", "parameter", params);
  Example e;
  reader.read_fields(e);
  const json* inner = reader.find("inner");
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ((*inner)["a"], 1);
  EXPECT_NO_THROW(reader.finish());
}

TEST(OptionsReader, WritesWhatItReadsBack) {
  Example e = read({{"count", 7}, {"colour", "dark_blue"}, {"steps", {3, 4}}});
  const json written = options_to_json(e);
  EXPECT_EQ(written, json({{"count", 7},
                           {"rate", 0.5},
                           {"fast", false},
                           {"label", "x"},
                           {"colour", "dark_blue"},
                           {"target", 1.0},
                           {"pair", {0.1, 0.2}},
                           {"steps", {3, 4}},
                           {"small", 3}}));
  e.target.reset();
  e.limits.ceiling = 2.0;
  EXPECT_EQ(options_to_json(e)["target"], nullptr);
  EXPECT_EQ(options_to_json(e)["ceiling"], 2.0);
  EXPECT_EQ(options_to_json(read(options_to_json(e))), options_to_json(e));
}

TEST(OptionsReader, ListsTheDeclaredNamesInOrder) {
  EXPECT_THAT(field_names<Example>(), ElementsAre("count", "rate", "fast", "label", "colour",
                                                  "target", "pair", "steps", "small", "ceiling"));
  EXPECT_EQ(enum_name(Colour::dark_blue), "dark_blue");
}

}  // namespace
}  // namespace descent
