#include "report/html/envelope.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "core/error.h"

namespace descent::html {
namespace {

TEST(Envelope, AShortSeriesKeepsEveryPoint) {
  const std::vector<double> y = {3, 1, NAN, 2};
  EXPECT_EQ(envelope_indices(y, 4), (std::vector<std::size_t>{0, 1, 2, 3}));
  EXPECT_TRUE(envelope_indices(std::vector<double>{}).empty());
}

TEST(Envelope, ALongSeriesKeepsEachBucketsLowestAndHighestInOrder) {
  // Buckets of 3: {5, 1, 9} keeps 1 and 9, {4, 4, 4} keeps its first 4 once, {7, 8, 2} keeps 8
  // then 2 (the highest comes first in the series).
  const std::vector<double> y = {5, 1, 9, 4, 4, 4, 7, 8, 2};
  EXPECT_EQ(envelope_indices(y, 6), (std::vector<std::size_t>{1, 2, 3, 7, 8}));
}

TEST(Envelope, OneSpikeInAHundredThousandPointsStays) {
  std::vector<double> y(100000);
  for (std::size_t i = 0; i < y.size(); ++i)
    y[i] = 1.0 + 0.01 * std::sin(0.1 * static_cast<double>(i));
  y[54321] = 50.0;
  y[77777] = -3.0;
  const std::vector<std::size_t> kept = envelope_indices(y);
  EXPECT_LE(kept.size(), kMaxChartPoints);
  EXPECT_GE(kept.size(), kMaxChartPoints / 2);
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  EXPECT_EQ(std::adjacent_find(kept.begin(), kept.end()), kept.end());  // no index twice
  EXPECT_NE(std::find(kept.begin(), kept.end(), 54321), kept.end());
  EXPECT_NE(std::find(kept.begin(), kept.end(), 77777), kept.end());
}

TEST(Envelope, NonFiniteValuesAreNeitherLowestNorHighest) {
  // Buckets of 3: {nan, 3, 1} keeps 3 and 1; {inf, nan, nan} has nothing finite and keeps its
  // first point, where the chart shows a gap.
  const std::vector<double> y = {NAN, 3, 1, INFINITY, NAN, NAN};
  EXPECT_EQ(envelope_indices(y, 4), (std::vector<std::size_t>{1, 2, 3}));
}

TEST(Envelope, FewerThanTwoPointsIsInvalid) {
  EXPECT_THROW(envelope_indices(std::vector<double>(10, 1.0), 1), InvalidArgument);
}

}  // namespace
}  // namespace descent::html
