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

nlohmann::json Monitor::state(double best) const {
  // JSON has no infinity: the starting "best" is written as null.
  return {{"monitor", name_},
          {"maximize", maximize_},
          {"best", std::isfinite(best) ? nlohmann::json(best) : nlohmann::json(nullptr)}};
}

double Monitor::load_state(const nlohmann::json& state) const {
  if (state.at("monitor") != name_ || state.at("maximize") != maximize_)
    throw DataError(fmt::format("the checkpoint's callback monitored {} ({}), this one \"{}\" ({})",
                                state.at("monitor").dump(),
                                state.at("maximize") == true ? "max" : "min", name_,
                                maximize_ ? "max" : "min"));
  const nlohmann::json& best = state.at("best");
  if (best.is_null()) return worst();
  if (!best.is_number()) throw DataError("the checkpoint's monitored best is not a number");
  return best.get<double>();
}

}  // namespace descent
