// Valley pictures: the runs of lr/valley.h drawn as chart panels.
#pragma once

#include <vector>

#include "lr/valley.h"
#include "report/chart.h"

namespace descent {

// One panel per run: 1-D, the function with the steps as arrows along it; 2-D, the path in the
// plane with the steps as arrows and the minima as dots. Diverged runs are shown while in view.
std::vector<ChartSpec> valley_charts(const ValleyFunction& f, const std::vector<ValleyRun>& runs);

}  // namespace descent
