// The range test's picture: loss against η on a log axis, the raw per-step loss light, the
// smoothed loss bold (the validation loss too, when recorded), each rule's suggestion as a dot on
// the smoothed curve, the picked one in red. The y axis is clipped a little above the loss of the
// flat start, so the blow-up at the end of the test does not squash the curve.
#pragma once

#include <filesystem>
#include <vector>

#include "lr/lr_finder.h"
#include "report/chart.h"

namespace descent {

ChartSpec lr_finder_chart(const LrFinderResult& result);

// Writes lr_finder.png and lr_finder.svg into `dir` (which must exist) and returns their paths;
// IoError when a file cannot be written.
std::vector<std::filesystem::path> write_lr_finder_chart(const LrFinderResult& result,
                                                         const std::filesystem::path& dir);

}  // namespace descent
