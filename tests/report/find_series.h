// The series of a chart with a given label, or null: what chart tests look for.
#pragma once

#include <string>

#include "report/chart.h"

namespace descent::testing {

inline const Series* find_series(const ChartSpec& spec, const std::string& label) {
  for (const Series& s : spec.series)
    if (s.label == label) return &s;
  return nullptr;
}

}  // namespace descent::testing
