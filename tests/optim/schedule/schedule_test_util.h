// Shared helpers for the schedule tests: the 1e-6 relative comparison and the PyTorch fixture.
#pragma once

#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fixture_file.h"

namespace descent::schedule_test {

// |actual − expected| <= 1e-6·|expected| (+1e-12 so that values at 0 compare sanely).
inline ::testing::AssertionResult close(double actual, double expected) {
  if (std::abs(actual - expected) <= 1e-6 * std::abs(expected) + 1e-12) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "got " << actual << ", expected " << expected;
}

inline const nlohmann::json& fixture() {
  static const nlohmann::json doc = test_fixtures::read("schedules.json");
  return doc;
}

}  // namespace descent::schedule_test
