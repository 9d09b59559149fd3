// Schedule-Free SGD (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, "The Road Less
// Scheduled", NeurIPS 2024), with the formulas of the reference implementation
// (github.com/facebookresearch/schedule_free, schedulefree/sgd_schedulefree_reference.py at
// 70785b5, SGDScheduleFreeReference): SGD on a sequence z whose average x is the model, the
// gradient taken at the interpolation y. With η_k and c the step's η after warm-up and weight in
// the average (optim/schedule_free_average.h) and β the momentum:
//   g = g + λ·y                                    (L2 weight decay at y)
//   z = z − η_k·g;  x = (1 − c)·x + c·z;  y = β·x + (1 − β)·z
// The parameters hold y while training and x for evaluation (Optimizer::use_eval_weights()); the
// slot "x" keeps the other one. z and x start at the parameter's value on its first update. The
// reference's memory-saving SGDScheduleFree keeps z only and recovers x from y and β; keeping x
// makes the switch an exact exchange. momentum() is empty: β is the interpolation weight, fixed
// for the run, not a momentum for a schedule to cycle. η is an ordinary learning rate (η
// schedules work, on top of the warm-up); the reference's default, 1, is high for most models.
// Parameters without a gradient are not updated, but k and the average's weights advance, as in
// the reference. A group's lr_scale scales its η; c, a ratio of weights, is the same for every
// group (a constant factor cancels in it).
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/optimizer.h"

namespace descent {

struct SGDScheduleFreeOptions {
  double lr = 1.0;                // η > 0
  double momentum = 0.9;          // β in (0, 1): y = β·x + (1 − β)·z
  double weight_decay = 0.0;      // λ >= 0, L2 at y
  std::int64_t warmup_steps = 0;  // >= 0: η grows linearly over the first warmup_steps steps
  double r = 0.0;                 // >= 0: step k's weight in x grows as (k + 1)^r
  double weight_lr_power = 2.0;   // >= 0: and as η_max^weight_lr_power
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &SGDScheduleFreeOptions::lr),
                      field("momentum", &SGDScheduleFreeOptions::momentum),
                      field("weight_decay", &SGDScheduleFreeOptions::weight_decay),
                      field("warmup_steps", &SGDScheduleFreeOptions::warmup_steps),
                      field("r", &SGDScheduleFreeOptions::r),
                      field("weight_lr_power", &SGDScheduleFreeOptions::weight_lr_power),
                      nested_fields(&SGDScheduleFreeOptions::clip)};
  }

  // Keras has no Schedule-Free: the same defaults.
  static SGDScheduleFreeOptions keras() { return {}; }
};

template <std::floating_point T>
class BasicSGDScheduleFree final : public BasicOptimizer<T> {
 public:
  explicit BasicSGDScheduleFree(const SGDScheduleFreeOptions& options = {});

  std::string name() const override { return "sgd_schedule_free"; }
  nlohmann::json config() const override;
  std::vector<std::string> slot_names() const override { return {"z", "x"}; }
  std::optional<std::size_t> eval_point_slot() const override { return 1; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  bool prepare_step(std::span<const ParamSlice<T>> params,
                    std::span<ParamState<T>> states) override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  SGDScheduleFreeOptions options_;
  // Set by prepare_step() for this step's updates: the warm-up factor of η and c.
  double lr_factor_ = 1;
  double ckp1_ = 0;
};

extern template class BasicSGDScheduleFree<float>;
extern template class BasicSGDScheduleFree<double>;

class SGDScheduleFree final : public Optimizer {
 public:
  using Options = SGDScheduleFreeOptions;
  explicit SGDScheduleFree(std::vector<Variable> params,
                           const SGDScheduleFreeOptions& options = {});
};

}  // namespace descent
