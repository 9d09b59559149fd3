// The points of a long series that the report page keeps: a 100,000-step run's loss would put
// every step into the page (megabytes of numbers for a chart about 1,000 pixels wide). Above
// `max_points`, the series is cut into max_points / 2 buckets of consecutive points and each
// bucket keeps its lowest and its highest value, in their order: the envelope a pixel column
// shows, so a single spike stays on the chart at its full height.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace descent::html {

// The series' points for the page: as many as a chart is wide (min and max of 1,000 buckets).
inline constexpr std::size_t kMaxChartPoints = 2000;

// The indices of `y` to keep, ascending: every index when y.size() <= max_points, else at most
// max_points of them (max_points >= 2). A value that is not finite (a gap, a divergence) counts
// only in a bucket with no finite value, which then keeps its first point.
std::vector<std::size_t> envelope_indices(std::span<const double> y,
                                          std::size_t max_points = kMaxChartPoints);

}  // namespace descent::html
