// ReduceLROnPlateau (PyTorch 1.13 torch.optim.lr_scheduler.ReduceLROnPlateau, same rule and
// parameters): reduce η by `factor` when a monitored metric has stopped improving for more than
// `patience` observations.
//
// Unlike PyTorch's, this one composes: it wraps an inner schedule (Constant η0 by default, or a
// warmup, a cosine, anything) and multiplies the inner value by the reduction factor accumulated so
// far, never taking η below min_lr (nor above the inner value):
//   η(t) = max(inner.lr(t) · scale(t), min(inner.lr(t), min_lr)),
// scale(t) = factor^(reductions recorded at steps <= t). A reduction at observe(t, ·) first affects
// lr(t); lr() for earlier t is unchanged, so the η history stays reproducible. With a Constant
// inner this is exactly PyTorch's sequence (tests/fixtures/schedules.json).
//
// observe(t, metric), once per epoch, as PyTorch's step(metric): the metric is better when
//   min/rel: m < best·(1 − threshold)   min/abs: m < best − threshold
//   max/rel: m > best·(1 + threshold)   max/abs: m > best + threshold
// (a NaN metric is never better). A worse one counts a bad epoch (not counted while cooling down);
// after more than `patience` bad epochs η is reduced, unless that would lower it by eps or less,
// the bad-epoch count resets and `cooldown` observations follow in which bad epochs are ignored.
#pragma once

#include <array>
#include <memory>
#include <tuple>
#include <vector>

#include "core/options_reader.h"
#include "optim/schedule/schedule.h"

namespace descent {

enum class PlateauMode { min, max };
enum class ThresholdMode { rel, abs };

constexpr auto enum_names(PlateauMode) {
  return std::array{EnumName<PlateauMode>{"min", PlateauMode::min},
                    EnumName<PlateauMode>{"max", PlateauMode::max}};
}
constexpr auto enum_names(ThresholdMode) {
  return std::array{EnumName<ThresholdMode>{"rel", ThresholdMode::rel},
                    EnumName<ThresholdMode>{"abs", ThresholdMode::abs}};
}

struct ReduceLROnPlateauOptions {
  PlateauMode mode = PlateauMode::min;  // min: lower metric is better (loss); max: accuracy
  double factor = 0.1;                  // in (0, 1): η ← η · factor
  std::int64_t patience = 10;           // >= 0: bad epochs tolerated before reducing
  double threshold = 1e-4;              // >= 0: minimum significant improvement
  ThresholdMode threshold_mode = ThresholdMode::rel;
  std::int64_t cooldown = 0;  // >= 0: observations to wait after a reduction
  double min_lr = 0.0;        // >= 0: floor for reductions
  double eps = 1e-8;          // >= 0: reductions smaller than this are skipped

  // The parameters of make_schedule() and config().
  static constexpr auto fields() {
    return std::tuple{field("mode", &ReduceLROnPlateauOptions::mode),
                      field("factor", &ReduceLROnPlateauOptions::factor),
                      field("patience", &ReduceLROnPlateauOptions::patience),
                      field("threshold", &ReduceLROnPlateauOptions::threshold),
                      field("threshold_mode", &ReduceLROnPlateauOptions::threshold_mode),
                      field("cooldown", &ReduceLROnPlateauOptions::cooldown),
                      field("min_lr", &ReduceLROnPlateauOptions::min_lr),
                      field("eps", &ReduceLROnPlateauOptions::eps)};
  }
};

class ReduceLROnPlateau : public Schedule {
 public:
  // Over a constant η0, as PyTorch.
  ReduceLROnPlateau(double initial_lr, ReduceLROnPlateauOptions options = {});
  // Over any schedule (a warmup, a cosine, ...).
  ReduceLROnPlateau(std::unique_ptr<Schedule> inner, ReduceLROnPlateauOptions options = {});

  double lr(std::int64_t t) const override;
  std::optional<double> momentum(std::int64_t t) const override { return inner_->momentum(t); }
  // t must not decrease from one call to the next; also passed on to the inner schedule.
  void observe(std::int64_t t, double metric) override;
  std::string name() const override { return "ReduceLROnPlateau"; }
  nlohmann::json config() const override;
  // meta["state"] = {best, num_bad_epochs, cooldown_counter, last_epoch, last_t, reductions
  // [[t, scale], ...]}; meta["children"] = [inner's state].
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

  // The accumulated reduction factor in effect at t (1 before any reduction).
  double scale(std::int64_t t) const;
  // Number of reductions recorded so far.
  std::size_t num_reductions() const { return reductions_.size(); }

 private:
  struct Reduction {
    std::int64_t t;
    double scale;  // accumulated factor from t on
  };
  bool is_better(double metric) const;
  double worst() const;

  std::unique_ptr<Schedule> inner_;
  ReduceLROnPlateauOptions options_;
  double best_;
  std::int64_t num_bad_epochs_ = 0;
  std::int64_t cooldown_counter_ = 0;
  std::int64_t last_epoch_ = 0;  // number of observations
  std::int64_t last_t_ = 0;
  std::vector<Reduction> reductions_;
};

}  // namespace descent
