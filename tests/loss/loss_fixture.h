// Reads tests/fixtures/losses.json (written by tools/fixtures/gen_losses.py with PyTorch) and
// compares descent's values with it.
#pragma once

#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/tensor.h"
#include "fixture_file.h"

namespace descent::testing {

inline const nlohmann::json& loss_fixture() {
  static const nlohmann::json cases = test_fixtures::read("losses.json").at("cases");
  return cases;
}

inline Tensor fixture_tensor(const nlohmann::json& c, const char* shape_key, const char* key) {
  return Tensor(c[shape_key].get<Shape>(), c[key].get<std::vector<float>>());
}

// |actual - expected| <= 1e-5 · |expected| + atol; atol absorbs float32 rounding of values that
// are tiny next to the rest of the tensor (e.g. softmax - 1 for a row at +50).
inline void expect_close(const Tensor& actual, const std::vector<double>& expected,
                         const std::string& what, double atol = 1e-7) {
  ASSERT_EQ(actual.size(), static_cast<std::int64_t>(expected.size())) << what;
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[static_cast<std::int64_t>(i)], expected[i],
                1e-5 * std::abs(expected[i]) + atol)
        << what << " element " << i;
}

}  // namespace descent::testing
