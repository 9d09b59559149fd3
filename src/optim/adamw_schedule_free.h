// Schedule-Free AdamW (Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky, "The Road Less
// Scheduled", NeurIPS 2024), with the formulas of the reference implementation
// (github.com/facebookresearch/schedule_free, schedulefree/adamw_schedulefree_reference.py at
// 70785b5, AdamWScheduleFreeReference): Schedule-Free SGD (optim/sgd_schedule_free.h) on Adam's
// normalized gradient, without a first moment. With η_k and c the step's η after warm-up and
// weight in the average (optim/schedule_free_average.h) and k the step (from 0):
//   z = z − η_k·λ·y                                (weight decay at y, outside the normalization)
//   v = β2·v + (1 − β2)·g²
//   z = z − η_k·g / (√(v/(1 − β2^(k+1))) + ε)
//   x = (1 − c)·x + c·z;  y = β1·x + (1 − β1)·z
// The parameters hold y while training and x for evaluation (Optimizer::use_eval_weights()); the
// slot "x" keeps the other one. z and x start at the parameter's value on its first update. The
// bias correction counts the optimizer's steps, as the reference's k does. momentum() is empty:
// β1 is the interpolation weight, fixed for the run, not a momentum to cycle. Left out: the
// reference's decay_at_z and inner_momentum (both off by default). Parameters without a gradient
// are not updated, but k and the average's weights advance, as in the reference. A group's
// lr_scale scales its η; c is the same for every group.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/optimizer.h"

namespace descent {

struct AdamWScheduleFreeOptions {
  double lr = 0.0025;                          // η > 0
  std::array<double, 2> betas = {0.9, 0.999};  // β1 (interpolation), β2 in [0, 1)
  double eps = 1e-8;                           // ε >= 0
  double weight_decay = 0.0;                   // λ >= 0, at y
  std::int64_t warmup_steps = 0;  // >= 0: η grows linearly over the first warmup_steps steps
  double r = 0.0;                 // >= 0: step k's weight in x grows as (k + 1)^r
  double weight_lr_power = 2.0;   // >= 0: and as η_max^weight_lr_power
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &AdamWScheduleFreeOptions::lr),
                      field("betas", &AdamWScheduleFreeOptions::betas),
                      field("eps", &AdamWScheduleFreeOptions::eps),
                      field("weight_decay", &AdamWScheduleFreeOptions::weight_decay),
                      field("warmup_steps", &AdamWScheduleFreeOptions::warmup_steps),
                      field("r", &AdamWScheduleFreeOptions::r),
                      field("weight_lr_power", &AdamWScheduleFreeOptions::weight_lr_power),
                      nested_fields(&AdamWScheduleFreeOptions::clip)};
  }

  // Keras has no Schedule-Free: the same defaults.
  static AdamWScheduleFreeOptions keras() { return {}; }
};

template <std::floating_point T>
class BasicAdamWScheduleFree final : public BasicOptimizer<T> {
 public:
  explicit BasicAdamWScheduleFree(const AdamWScheduleFreeOptions& options = {});

  std::string name() const override { return "adamw_schedule_free"; }
  nlohmann::json config() const override;
  std::vector<std::string> slot_names() const override { return {"z", "x", "exp_avg_sq"}; }
  bool decouples_weight_decay() const override { return true; }
  std::optional<std::size_t> eval_point_slot() const override { return 1; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  bool prepare_step(std::span<const ParamSlice<T>> params,
                    std::span<ParamState<T>> states) override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  AdamWScheduleFreeOptions options_;
  // Set by prepare_step() for this step's updates: the warm-up factor of η, c and 1 − β2^(k+1).
  double lr_factor_ = 1;
  double ckp1_ = 0;
  double bias_correction2_ = 1;
};

extern template class BasicAdamWScheduleFree<float>;
extern template class BasicAdamWScheduleFree<double>;

class AdamWScheduleFree final : public Optimizer {
 public:
  using Options = AdamWScheduleFreeOptions;
  explicit AdamWScheduleFree(std::vector<Variable> params,
                             const AdamWScheduleFreeOptions& options = {});
};

}  // namespace descent
