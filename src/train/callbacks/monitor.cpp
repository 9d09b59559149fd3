#include "train/callbacks/monitor.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

Monitor::Monitor(std::string name, std::string mode, double min_delta)
    : name_(std::move(name)), min_delta_(std::abs(min_delta)) {
  if (mode == "auto")
    maximize_ = name_.find("acc") != std::string::npos;
  else if (mode == "min" || mode == "max")
    maximize_ = mode == "max";
  else
    throw InvalidArgument(fmt::format("monitor mode must be min, max or auto, got '{}'", mode));
}

bool Monitor::improves(double value, double best) const {
  return maximize_ ? value - min_delta_ > best : value + min_delta_ < best;
}

double Monitor::worst() const {
  return maximize_ ? -std::numeric_limits<double>::infinity()
                   : std::numeric_limits<double>::infinity();
}

}  // namespace descent
