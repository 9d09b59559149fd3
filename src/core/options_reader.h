// OptionsReader: the one way descent reads an options struct (optimizer hyperparameters, schedule
// parameters) from a JSON object, and writes it back. Each options struct lists its fields once,
// in a static fields() that the reader, the writer and the list of names all derive from:
//
//   struct StepLROptions {
//     std::int64_t step_size = 0;
//     double gamma = 0.1;
//     static constexpr auto fields() {
//       return std::tuple{field("step_size", &StepLROptions::step_size, Presence::required),
//                         field("gamma", &StepLROptions::gamma)};
//     }
//   };
//   StepLROptions o = read_options<StepLROptions>("StepLR", "parameter", params);
//   nlohmann::json config = options_to_json(o);
//
// The rules, the same for every struct and field:
//   double                  any JSON number (ranges and finiteness: the struct's own validation)
//   integers                the rule of core/json_integer.h: a JSON integer or a number with an
//                           exact integer value (3 or 3.0), within the field's type; not 3.5
//   bool                    true or false
//   std::string             a string
//   enum E                  one of the names that enum_names(E) lists (declared beside E)
//   std::optional<T>        a T, or null, which empties it
//   std::array<double, N>   an array of exactly N numbers (betas)
//   std::vector<T>          a list of T (milestones)
//   NestedFields            the fields of a member struct, in the same JSON object (ClipOptions)
// A key left out keeps the struct's value unless the field is Presence::required. A key that no
// field or bespoke read asked for is rejected, naming it and listing the known ones. Errors are
// InvalidArgument: "adam: hyperparameter 'lr' must be a number, got \"fast\"".
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_integer.h"

namespace descent {

enum class Presence {
  optional,            // may be left out: the struct's value stays
  required,            // must be given
  omitted_when_empty,  // optional; an empty std::optional is left out of the JSON written, not null
};

// One field: its JSON key and the member it fills.
template <class Options, class Value>
struct Field {
  std::string_view key;
  Value Options::*member;
  Presence presence;
};

template <class Options, class Value>
constexpr Field<Options, Value> field(std::string_view key, Value Options::*member,
                                      Presence presence = Presence::optional) {
  return {key, member, presence};
}

// A member that is itself an options struct, whose fields sit in the same JSON object.
template <class Options, class Inner>
struct NestedFields {
  Inner Options::*member;
};

template <class Options, class Inner>
constexpr NestedFields<Options, Inner> nested_fields(Inner Options::*member) {
  return {member};
}

// An enum's JSON spelling. An enum E read or written as a field declares, next to E,
// `constexpr auto enum_names(E)` returning an array of these (found by argument lookup).
template <class E>
struct EnumName {
  std::string_view name;
  E value;
};

template <class E>
concept NamedEnum = std::is_enum_v<E> && requires(E e) {
  enum_names(e);
};

template <NamedEnum E>
constexpr std::string_view enum_name(E value) {
  for (const auto& entry : enum_names(value))
    if (entry.value == value) return entry.name;
  return "?";
}

namespace detail {
[[noreturn]] void throw_unknown_name(std::string_view owner, std::string_view key,
                                     std::string_view name,
                                     std::span<const std::string_view> names);
}  // namespace detail

// The value of E spelled `name`; throws InvalidArgument naming `owner` and `key` and listing the
// names otherwise: "CyclicLR: unknown mode 'up' (must be \"triangular\", ... or \"exp_range\")".
template <NamedEnum E>
E enum_from_name(std::string_view owner, std::string_view key, std::string_view name) {
  std::vector<std::string_view> names;
  for (const auto& entry : enum_names(E{})) {
    if (entry.name == name) return entry.value;
    names.push_back(entry.name);
  }
  detail::throw_unknown_name(owner, key, name, names);
}

// A JSON value as an error message shows it: scalars and flat arrays or objects as JSON (cut at
// 80 characters), deeper ones by their kind only, so a hostile, deeply nested value can neither
// overflow the stack nor make the message endless.
std::string shown_in_message(const nlohmann::json& value);

class OptionsReader {
 public:
  // `owner` names what is configured ("adam", "StepLR") and `noun` what its keys are called
  // ("hyperparameter", "parameter") in messages. `object` must be a JSON object or null (no keys).
  OptionsReader(std::string_view owner, std::string_view noun, const nlohmann::json& object);
  // It keeps a reference to `object`, which must outlive it.
  OptionsReader(std::string_view owner, std::string_view noun, nlohmann::json&& object) = delete;

  // Reads every field that Options::fields() declares into `options`.
  template <class Options>
  void read_fields(Options& options);

  // Reads one key into `value` (types as in the table above).
  template <class T>
  void read(std::string_view key, T& value, Presence presence = Presence::optional);

  // The raw value of `key` (or nullptr), for keys a caller reads itself (nested schedule specs);
  // the key counts as known.
  const nlohmann::json* find(std::string_view key);

  // Throws InvalidArgument for a key that was never asked for, listing the known ones.
  void finish() const;

  std::string_view owner() const { return owner_; }

 private:
  template <class Options, class Value>
  void read_field(Options& options, const Field<Options, Value>& f) {
    read(f.key, options.*f.member, f.presence);
  }
  template <class Options, class Inner>
  void read_field(Options& options, const NestedFields<Options, Inner>& f) {
    read_fields(options.*f.member);
  }

  void convert(std::string_view key, const nlohmann::json& v, double& out) const;
  void convert(std::string_view key, const nlohmann::json& v, bool& out) const;
  void convert(std::string_view key, const nlohmann::json& v, std::string& out) const;
  template <std::integral T>
  void convert(std::string_view key, const nlohmann::json& v, T& out) const {
    const auto integer = json_integer_if<T>(v);
    if (!integer) throw wrong_type(key, "an integer", v);
    out = *integer;
  }
  template <NamedEnum E>
  void convert(std::string_view key, const nlohmann::json& v, E& out) const {
    std::string name;
    convert(key, v, name);
    out = enum_from_name<E>(owner_, key, name);
  }
  template <class T>
  void convert(std::string_view key, const nlohmann::json& v, std::optional<T>& out) const {
    if (v.is_null()) {
      out.reset();
      return;
    }
    T value{};
    convert(key, v, value);
    out = value;
  }
  template <std::size_t N>
  void convert(std::string_view key, const nlohmann::json& v, std::array<double, N>& out) const {
    if (!v.is_array() || v.size() != N) throw wrong_type(key, array_of_numbers(N), v);
    for (std::size_t i = 0; i < N; ++i) {
      if (!v[i].is_number()) throw wrong_type(key, array_of_numbers(N), v);
      out[i] = v[i].get<double>();
    }
  }
  template <class T>
  void convert(std::string_view key, const nlohmann::json& v, std::vector<T>& out) const {
    if (!v.is_array()) throw wrong_type(key, list_of<T>(), v);
    std::vector<T> values(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      convert(fmt::format("{}[{}]", key, i), v[i], values[i]);
    out = std::move(values);
  }

  template <class T>
  static std::string list_of() {
    if constexpr (std::is_same_v<T, double>)
      return "a list of numbers";
    else
      return "a list of integers";
  }
  static std::string array_of_numbers(std::size_t n);

  InvalidArgument wrong_type(std::string_view key, std::string_view expected,
                             const nlohmann::json& v) const;

  std::string owner_;
  std::string noun_;
  const nlohmann::json* object_;
  std::vector<std::string> known_;  // in the order asked for, as error messages list them
};

template <class Options>
void OptionsReader::read_fields(Options& options) {
  std::apply([&](const auto&... f) { (read_field(options, f), ...); }, Options::fields());
}

template <class T>
void OptionsReader::read(std::string_view key, T& value, Presence presence) {
  if (const nlohmann::json* v = find(key)) {
    convert(key, *v, value);
  } else if (presence == Presence::required) {
    throw InvalidArgument(fmt::format("{}: missing {} '{}'", owner_, noun_, key));
  }
}

// Reads a whole struct: starts from `start`, reads every declared field, rejects other keys.
template <class Options>
Options read_options(std::string_view owner, std::string_view noun, const nlohmann::json& object,
                     Options start = {}) {
  OptionsReader reader(owner, noun, object);
  reader.read_fields(start);
  reader.finish();
  return start;
}

namespace detail {

template <class T>
nlohmann::json to_json_value(const T& value) {
  if constexpr (NamedEnum<T>)
    return enum_name(value);
  else
    return value;
}

template <class Options, class Value>
void write_field(const Options& options, const Field<Options, Value>& f, nlohmann::json& out) {
  const Value& value = options.*f.member;
  if constexpr (requires { value.has_value(); }) {
    if (value)
      out[f.key] = to_json_value(*value);
    else if (f.presence != Presence::omitted_when_empty)
      out[f.key] = nullptr;
  } else {
    out[f.key] = to_json_value(value);
  }
}

template <class Options>
void write_fields(const Options& options, nlohmann::json& out);

template <class Options, class Inner>
void write_field(const Options& options, const NestedFields<Options, Inner>& f,
                 nlohmann::json& out) {
  write_fields(options.*f.member, out);
}

template <class Options>
void write_fields(const Options& options, nlohmann::json& out) {
  std::apply([&](const auto&... f) { (write_field(options, f, out), ...); }, Options::fields());
}

template <class Options>
void add_field_names(std::vector<std::string_view>& names);

template <class Options, class Value>
void add_field_name(const Field<Options, Value>& f, std::vector<std::string_view>& names) {
  names.push_back(f.key);
}

template <class Options, class Inner>
void add_field_name(const NestedFields<Options, Inner>&, std::vector<std::string_view>& names) {
  add_field_names<Inner>(names);
}

template <class Options>
void add_field_names(std::vector<std::string_view>& names) {
  std::apply([&](const auto&... f) { (add_field_name(f, names), ...); }, Options::fields());
}

}  // namespace detail

// Every declared field under its key: what read_options() reads back to equal options.
template <class Options>
nlohmann::json options_to_json(const Options& options) {
  nlohmann::json out = nlohmann::json::object();
  detail::write_fields(options, out);
  return out;
}

// The declared keys, in declaration order (help text, error messages).
template <class Options>
std::vector<std::string_view> field_names() {
  std::vector<std::string_view> names;
  detail::add_field_names<Options>(names);
  return names;
}

}  // namespace descent
