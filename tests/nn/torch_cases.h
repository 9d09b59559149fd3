// The PyTorch cases of tests/fixtures/pool_conv.json (tools/fixtures/gen_pool_conv.py) for the
// layer tests: tensors from a case, and a comparison at the fixtures' 1e-5.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "fixture_file.h"

// Not descent::testing: that would hide GoogleTest's ::testing in a unity build.
namespace descent::torch_cases {

inline const nlohmann::json& pool_conv(const std::string& name) {
  static const nlohmann::json cases = test_fixtures::read("pool_conv.json").at("cases");
  return cases.at(name);
}

inline Tensor tensor_from(const nlohmann::json& j) {
  const std::vector<float> data = j.at("data").get<std::vector<float>>();
  return Tensor(j.at("shape").get<Shape>(), std::span<const float>(data));
}

inline void expect_close(const Tensor& actual, const nlohmann::json& expected_json,
                         const std::string& what) {
  const Tensor expected = tensor_from(expected_json);
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  for (std::int64_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 1e-5 * std::max(1.0f, std::abs(expected[i])))
        << what << " element " << i;
}

}  // namespace descent::torch_cases
