#include "core/all_finite.h"

#include <cstdint>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "core/parallel.h"

namespace descent {
namespace {

TEST(AllFinite, FindsOneBadValueAnywhereInALargeSpanOnAnyThreadCount) {
  const int threads = num_threads();
  // Chunk-sized and odd sizes: the last, partial chunk must be checked too.
  for (const std::int64_t n : {std::int64_t{1}, std::int64_t{16384}, std::int64_t{300001}}) {
    std::vector<float> values(static_cast<std::size_t>(n), 1.5f);
    for (const int t : {1, 2}) {
      set_num_threads(t);
      EXPECT_TRUE(all_finite_parallel(values));
      for (const float bad :
           {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
            -std::numeric_limits<float>::infinity()})
        for (const std::int64_t at : {std::int64_t{0}, n / 2, n - 1}) {
          values[static_cast<std::size_t>(at)] = bad;
          EXPECT_FALSE(all_finite_parallel(values)) << "n " << n << ", at " << at;
          EXPECT_FALSE(all_finite(values));
          values[static_cast<std::size_t>(at)] = 1.5f;
        }
    }
  }
  set_num_threads(threads);
  EXPECT_TRUE(all_finite_parallel({}));
}

}  // namespace
}  // namespace descent
