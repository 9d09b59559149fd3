#include "optim/schedule/piecewise_constant_decay.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/error.h"
#include "optim/schedule/check.h"

namespace descent {

PiecewiseConstantDecay::PiecewiseConstantDecay(PiecewiseConstantDecayOptions options)
    : options_(std::move(options)) {
  const auto& o = options_;
  schedule_check::increasing("PiecewiseConstantDecay", "boundaries", o.boundaries, 0);
  if (o.values.size() != o.boundaries.size() + 1) {
    throw InvalidArgument(fmt::format(
        "PiecewiseConstantDecay: values needs one more entry than boundaries ({}), got {}",
        o.boundaries.size(), o.values.size()));
  }
  for (std::size_t i = 0; i < o.values.size(); ++i) {
    schedule_check::positive_lr("PiecewiseConstantDecay", fmt::format("values[{}]", i),
                                o.values[i]);
  }
}

double PiecewiseConstantDecay::lr(std::int64_t t) const {
  schedule_check::step("PiecewiseConstantDecay", t);
  const auto& b = options_.boundaries;
  return options_.values[std::lower_bound(b.begin(), b.end(), t) - b.begin()];
}

nlohmann::json PiecewiseConstantDecay::config() const {
  return options_to_json(options_);
}

}  // namespace descent
