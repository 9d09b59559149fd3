// Reads a committed reference fixture, tests/fixtures/NAME (written by tools/fixtures/), with one
// clear error when it is missing rather than a JSON parse error on an empty stream.
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

// Its own namespace: a descent::testing here would hide GoogleTest's ::testing in the tests that
// name it unqualified (a unity build compiles several test files as one).
namespace descent::test_fixtures {

inline nlohmann::json read(const std::string& name) {
  const std::string path = std::string(DESCENT_FIXTURES_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

}  // namespace descent::test_fixtures
