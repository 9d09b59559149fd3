// The edge-of-stability chart of `descent train --track-sharpness`: λmax measured during training
// against the stability threshold of the optimizer at each step's η (lr/sharpness_tracker.h), on a
// log scale, so a person sees the sharpness rise and stop at the threshold.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lr/sharpness_tracker.h"
#include "report/chart.h"

namespace descent {

// `threshold_formula` labels the threshold (stability_threshold_formula: "2(1+μ)/η", ...).
ChartSpec sharpness_track_chart(const std::vector<SharpnessPoint>& points,
                                const std::string& threshold_formula);

// Writes sharpness_track.png and .svg into `dir` and returns them; IoError when it cannot.
std::vector<std::filesystem::path> write_sharpness_track_chart(
    const std::vector<SharpnessPoint>& points, const std::string& threshold_formula,
    const std::filesystem::path& dir);

}  // namespace descent
