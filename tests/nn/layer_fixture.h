// The PyTorch reference cases of tests/fixtures/layers.json (written by
// tools/fixtures/gen_layers.py).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/variable.h"
#include "fixture_file.h"

namespace descent::testing {

inline const nlohmann::json& layer_case(const std::string& name) {
  static const nlohmann::json cases = test_fixtures::read("layers.json").at("cases");
  return cases.at(name);
}

inline Tensor fixture_tensor(const nlohmann::json& j) {
  const Shape shape = j.at("shape").get<Shape>();
  const std::vector<float> data = j.at("data").get<std::vector<float>>();
  return Tensor(shape, std::span<const float>(data));
}

inline void expect_near_fixture(const Tensor& actual, const nlohmann::json& expected_json,
                                double tolerance, const std::string& what) {
  const Tensor expected = fixture_tensor(expected_json);
  ASSERT_EQ(shape_string(actual.shape()), shape_string(expected.shape())) << what;
  for (std::int64_t i = 0; i < expected.size(); ++i) {
    const double e = expected[i];
    EXPECT_NEAR(actual[i], e, tolerance * std::max(1.0, std::abs(e))) << what << " element " << i;
  }
}

}  // namespace descent::testing
