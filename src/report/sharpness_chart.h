// Sharpness chart: the λmax estimate after each power iteration (lr/sharpness.h), with the final
// value as a dashed line, so a person sees whether the iteration settled. When the dominant
// eigenvalue was negative the first phase's estimates are negative and the curve jumps where the
// shifted phase starts.
#pragma once

#include <filesystem>
#include <vector>

#include "lr/sharpness.h"
#include "report/chart.h"

namespace descent {

ChartSpec sharpness_chart(const SharpnessResult& result);

// Writes sharpness.png and sharpness.svg into `dir` (created if missing) and returns them.
// IoError when `dir` or a file cannot be written.
std::vector<std::filesystem::path> write_sharpness_chart(const SharpnessResult& result,
                                                         const std::filesystem::path& dir);

}  // namespace descent
