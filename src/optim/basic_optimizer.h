// BasicOptimizer<T>: the update rules of descent, written once over the scalar type T and applied
// to parameters seen as flat spans. T = float drives training (Optimizer wraps it for Variables);
// T = double runs the very same rule on plain functions (the `descent valley` demo, analytic
// tests). Only float and double are instantiated.
//
// A derived class (BasicSGD<T>, BasicAdam<T>, ...) supplies the rule: the state it keeps per
// parameter and one fused loop over a parameter's elements. The base owns what every optimizer
// shares: the learning rate η, the step count, gradient clipping (ClipOptions) and the
// per-parameter state, which is created the first time a parameter receives a gradient. Rules
// whose step size is a statistic of all parameters (DoG, Prodigy) also override prepare_step()
// and keep that statistic in the optimizer-level scalars(); rules evaluated at another point than
// the one they step from (Schedule-Free) name the slot that keeps it (eval_point_slot()).
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "optim/clip_options.h"

namespace descent {

// One parameter tensor for a step: its values (updated in place) and its gradient. An empty
// `grad` means the parameter has no gradient this step and is skipped, state included. Clipping
// rewrites `grad` in place, as torch.nn.utils.clip_grad_norm_ does.
template <std::floating_point T>
struct ParamSlice {
  std::span<T> value;
  std::span<T> grad;
  // The parameter's η is the optimizer's η times this (parameter groups).
  double lr_scale = 1.0;
  // The parameter's weight decay λ is the rule's λ times this (0: no decay for the group).
  double weight_decay_scale = 1.0;
};

// What an optimizer keeps for one parameter.
template <std::floating_point T>
struct ParamState {
  // Updates applied to this parameter (PyTorch's state["step"]); drives bias corrections.
  std::int64_t step = 0;
  // Moments / accumulators, each empty or of the parameter's size, in the order of slot_names().
  std::vector<std::vector<T>> slots;
  // Per-parameter scalars (NAdam's μ product).
  std::vector<double> scalars;
};

template <std::floating_point T>
class BasicOptimizer {
 public:
  virtual ~BasicOptimizer() = default;

  // Lower-case name as make_optimizer() takes it: "sgd", "adam", ...
  virtual std::string name() const = 0;
  // Hyperparameters with the current η and momentum, keyed as make_optimizer() reads them.
  virtual nlohmann::json config() const = 0;

  // The optimizer's η. set_lr() validates (finite, > 0) and takes effect from the next step.
  double lr() const { return lr_; }
  void set_lr(double lr);
  // The momentum-like coefficient that schedules cycle (PyTorch OneCycleLR's cycle_momentum):
  // SGD / RMSprop momentum, β1 for the Adam family and Lion; empty for Adagrad and Adadelta,
  // whose set_momentum() throws InvalidArgument.
  virtual std::optional<double> momentum() const { return std::nullopt; }
  virtual void set_momentum(double momentum);

  // Number of step() calls so far.
  std::int64_t iterations() const { return iterations_; }
  const ClipOptions& clip_options() const { return clip_; }

  // One optimization step: clips the gradients, then updates every parameter that has one.
  // params[i] must be the same parameter (same size) at every call; the list may grow.
  void step(std::span<const ParamSlice<T>> params);
  // One step on a single parameter vector.
  void step(std::span<T> value, std::span<T> grad);

  // Checkpoint view of the state: the slots' names and the state per parameter (in step()
  // order; a parameter never updated has step 0 and no slots).
  virtual std::vector<std::string> slot_names() const = 0;
  const std::vector<ParamState<T>>& states() const { return states_; }
  // Optimizer-level scalars (DoG's distance and gradient sum, Prodigy's d); empty for the
  // per-parameter rules. Their count is fixed by the rule's constructor.
  const std::vector<double>& scalars() const { return scalars_; }
  // Replaces iterations, state and scalars. Throws InvalidArgument (changing nothing) when a
  // state lacks a slot or scalar that the rule keeps, its slots differ in size, or the number of
  // optimizer-level scalars differs.
  void restore(std::int64_t iterations, std::vector<ParamState<T>> states,
               std::vector<double> scalars);

  // Rules that take their steps at one point and are evaluated at another (Schedule-Free: the
  // interpolation y and the average x) keep the evaluation point in a slot; this names it. Empty
  // (the default) for every other rule.
  virtual std::optional<std::size_t> eval_point_slot() const { return std::nullopt; }
  // Exchanges each parameter's values with its eval_point_slot(): the parameters then hold the
  // evaluation point and the slot the training point, or back. An exchange, not a formula, so two
  // calls restore every bit. Parameters without state (never updated: both points are their
  // values) and rules without such a slot are left alone.
  void swap_eval_point(std::span<const ParamSlice<T>> params);
  // Whether the rule preconditions its step (Adam: w ← w − η·P⁻¹·m, with a diagonal P). The
  // edge-of-stability threshold of such a rule holds for the sharpness of P⁻¹·H.
  virtual bool has_preconditioner() const { return false; }
  // Writes P's diagonal for a parameter with state into `out` (the parameter's size).
  virtual void preconditioner(const ParamState<T>& /*state*/, std::span<double> /*out*/) const {}
  // Whether weight decay shrinks the weights directly (AdamW: w ← w·(1 − η·λ)) rather than
  // adding λ·w to the gradient (L2). Only decoupled decay leaves 1-D parameters out by default
  // (Optimizer::exclude_low_rank_from_weight_decay()).
  virtual bool decouples_weight_decay() const { return false; }

 protected:
  BasicOptimizer(std::string_view name, double lr, const ClipOptions& clip);

  // Sets up a parameter's state on its first update (`size` elements). The default creates
  // slot_names().size() empty slots and no scalars.
  virtual void init_state(ParamState<T>& state, std::size_t size) const;
  // The rule: updates `value` from `grad` (already clipped) with learning rate `lr` (η times the
  // parameter's scale) and the rule's weight decay times `weight_decay_scale`. state.step was
  // incremented before the call, so it is >= 1.
  virtual void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
                      double weight_decay_scale) = 0;

  // Called once per step after clipping and before any update, with the step's parameters and
  // their states (states[i] belongs to params[i]; created for every parameter with a gradient,
  // whose step count is not yet incremented). Gradients may be rewritten in place (weight decay
  // added to them). Returns false to skip this step's updates: no update() call and no step
  // counts advance. The default does nothing and returns true.
  virtual bool prepare_step(std::span<const ParamSlice<T>> params, std::span<ParamState<T>> states);
  std::vector<double>& mutable_scalars() { return scalars_; }

  // Name used in error messages.
  std::string_view error_name() const { return error_name_; }

  // config() from the rule's options struct (its declared fields), with the current η.
  template <class Options>
  nlohmann::json config_of(Options options) const {
    options.lr = lr_;
    return options_to_json(options);
  }

 private:
  void clip(std::span<const ParamSlice<T>> params) const;

  std::string error_name_;
  double lr_;
  ClipOptions clip_;
  std::int64_t iterations_ = 0;
  std::vector<ParamState<T>> states_;
  std::vector<double> scalars_;
};

extern template class BasicOptimizer<float>;
extern template class BasicOptimizer<double>;

}  // namespace descent
