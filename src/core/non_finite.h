// The non-finite values that mark a missing value (NaN: a loss not measured) or an unbounded one.
#pragma once

#include <limits>

namespace descent {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace descent
