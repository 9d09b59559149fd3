// PiecewiseConstantDecay (Keras keras.optimizers.schedules.PiecewiseConstantDecay): η is values[0]
// for t <= boundaries[0], values[i] for boundaries[i−1] < t <= boundaries[i], and values.back()
// for t > boundaries.back(). As in Keras the values are absolute learning rates: the optimizer's
// initial η plays no part.
#pragma once

#include <tuple>
#include <vector>

#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

struct PiecewiseConstantDecayOptions {
  std::vector<std::int64_t> boundaries;  // required, strictly increasing, >= 0
  std::vector<double> values;            // required, one more than boundaries, finite > 0

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{
        field("boundaries", &PiecewiseConstantDecayOptions::boundaries, Presence::required),
        field("values", &PiecewiseConstantDecayOptions::values, Presence::required)};
  }
};

class PiecewiseConstantDecay : public Schedule {
 public:
  explicit PiecewiseConstantDecay(PiecewiseConstantDecayOptions options);

  double lr(std::int64_t t) const override;
  std::string name() const override { return "PiecewiseConstantDecay"; }
  nlohmann::json config() const override;

 private:
  PiecewiseConstantDecayOptions options_;
};

}  // namespace descent
