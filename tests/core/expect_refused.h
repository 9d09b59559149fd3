// Checks that an operation refuses its arguments with InvalidArgument and exactly `message`.
#pragma once

#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "core/error.h"

namespace descent::testing {

inline void expect_refused(const std::function<void()>& f, const std::string& message) {
  try {
    f();
    FAIL() << "accepted: " << message;
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()), message);
  }
}

}  // namespace descent::testing
