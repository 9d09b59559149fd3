// How sure a sweep's choice of η is, from the spread of its best runs: the η whose final loss
// (validation loss when the sweep had validation data) is within `tolerance` of the best one's.
//   - low:    the best η is at an edge of the grid (the best may lie beyond), or fewer than two
//             runs finished without diverging;
//   - medium: a run between two near-best ones did worse (the differences are noise), or the
//             near-best runs span more than a decade of η (the loss is flat there: the choice
//             matters little, but the grid does not pin the best η down);
//   - high:   the best η is inside the grid and the near-best runs lie within a decade of it.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lr/sweep.h"

namespace descent {

struct SweepConfidence {
  std::string level;              // "high", "medium" or "low"
  double tolerance = 0.05;        // relative to the best loss
  std::vector<double> near_best;  // sorted η of the runs within tolerance, the best included
  bool at_edge = false;           // the best η is the lowest or the highest swept
  std::string summary;            // one sentence for people: the level and why

  // {"level", "tolerance", "near_best", "at_edge", "summary"}
  nlohmann::json to_json() const;
};

// Needs a result with a best η (throws InvalidArgument otherwise) and tolerance >= 0.
SweepConfidence sweep_confidence(const SweepResult& result, bool by_validation,
                                 double tolerance = 0.05);

}  // namespace descent
