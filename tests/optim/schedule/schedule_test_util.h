// Shared helpers for the schedule tests: the 1e-6 relative comparison and the PyTorch fixture.
#pragma once

#include <cmath>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace descent::schedule_test {

// |actual − expected| <= 1e-6·|expected| (+1e-12 so that values at 0 compare sanely).
inline ::testing::AssertionResult close(double actual, double expected) {
  if (std::abs(actual - expected) <= 1e-6 * std::abs(expected) + 1e-12) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "got " << actual << ", expected " << expected;
}

inline const nlohmann::json& fixture() {
  static const nlohmann::json doc = [] {
    std::ifstream in(std::string(DESCENT_FIXTURES_DIR) + "/schedules.json");
    return nlohmann::json::parse(in);
  }();
  return doc;
}

}  // namespace descent::schedule_test
