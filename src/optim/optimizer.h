// Optimizer: the training-side optimizer that the train layer calls. It holds the model's
// Variables (float) in parameter groups and drives one BasicOptimizer<float>, which owns the
// update rule, η, the clipping and the per-parameter state. The named classes (SGD, Adam, ...)
// only pick the rule.
//
// Parameter groups: the constructor's parameters form group 0 with scale 1; add_param_group()
// adds a group whose η is the optimizer's η times its lr_scale. lr() / set_lr() always mean the
// optimizer's η (= group 0's), so a schedule that sets η moves every group in proportion. Each
// group also scales the rule's weight decay λ by its weight_decay_scale (1 by default, 0 for no
// decay), for decoupled decay (AdamW) and L2 alike.
//
// Weight decay of 1-D parameters: biases and normalization scales and shifts are not decayed by
// rules that decouple weight decay (nanoGPT's rule: decay only tensors of rank >= 2), once
// exclude_low_rank_from_weight_decay() has grouped them (Model::compile calls it). L2 (SGD's and
// Adam's coupled weight_decay) keeps decaying every parameter, as PyTorch does. set_decay_all()
// (hyperparameter decay_all) keeps every parameter decaying for decoupled rules too.
//
// step() skips parameters without a gradient since the last zero_grad() (Variable::has_grad()),
// as PyTorch skips p.grad is None: no update, no weight decay, and their moments and step count
// do not advance; global-norm clipping leaves them out.
//
// Training and evaluation weights: for most rules the weights a step leaves are the model to
// evaluate. Schedule-Free steps from an interpolated point y but is evaluated at the average x
// (BasicOptimizer::eval_point_slot()). use_eval_weights() puts x into the parameters, keeping y;
// use_train_weights() puts y back. Both are exact exchanges (switching back and forth changes no
// bit of a run), no-ops when already in that mode, and no-ops for every other rule, whose
// holds_eval_weights() stays false. Model::fit trains on the training weights and leaves the
// evaluation weights in; evaluate() and predict() switch for their duration (EvalWeights).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/state_dict.h"
#include "core/variable.h"
#include "optim/basic_optimizer.h"

namespace descent {

class Optimizer {
 public:
  // Drives `rule` over `params` (group 0, scale 1). SGD, Adam, ... are this constructor with
  // their rule; make_optimizer() builds one by name.
  Optimizer(std::vector<Variable> params, std::unique_ptr<BasicOptimizer<float>> rule);
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Adds parameters with η × lr_scale (lr_scale finite and > 0) and λ × weight_decay_scale
  // (finite and >= 0). Throws InvalidArgument for an undefined Variable or one that the optimizer
  // already holds.
  void add_param_group(std::vector<Variable> params, double lr_scale = 1.0,
                       double weight_decay_scale = 1.0);
  std::size_t num_param_groups() const { return group_scales_.size(); }
  double lr_scale(std::size_t group) const;
  double weight_decay_scale(std::size_t group) const;
  // Every parameter, in the order they were added; param_group(i) is the group of params()[i].
  const std::vector<Variable>& params() const { return params_; }
  std::size_t param_group(std::size_t param) const;

  // When the rule decouples weight decay and decay_all() is false: moves every parameter of rank
  // < 2 whose group decays into a new group with that group's lr_scale and weight_decay_scale 0
  // (one new group per group it takes parameters from). The parameters keep their order. Does
  // nothing otherwise. Call it before the first step.
  void exclude_low_rank_from_weight_decay();
  bool decay_all() const { return decay_all_; }
  void set_decay_all(bool decay_all) { decay_all_ = decay_all; }

  double lr() const { return rule_->lr(); }
  void set_lr(double lr) { rule_->set_lr(lr); }
  std::optional<double> momentum() const { return rule_->momentum(); }
  void set_momentum(double momentum) { rule_->set_momentum(momentum); }

  // Clips the gradients (in place), then applies the update rule to every parameter that has a
  // gradient. Throws InvalidArgument while the evaluation weights are in.
  void step();
  // Marks every parameter's gradient as not written (nothing is zeroed or freed).
  void zero_grad();
  std::int64_t iterations() const { return rule_->iterations(); }

  // The weight switch (above): no-ops unless the rule keeps an evaluation point.
  void use_eval_weights();
  void use_train_weights();
  bool holds_eval_weights() const { return eval_weights_; }

  std::string name() const { return rule_->name(); }
  // The rule's hyperparameters, plus "decay_all": true when set.
  nlohmann::json config() const;

  // Everything needed to continue exactly: η, momentum, group scales (η and weight decay; a state
  // without weight-decay scales, from before they existed, loads in its own groups with 1s),
  // iteration and
  // per-parameter step counts, per-parameter and optimizer-level scalars (meta) and every moment /
  // accumulator (tensors named "state.<parameter index>.<slot name>", shaped like the parameter).
  // Taken while the evaluation weights are in, the evaluation-point slot holds the training point
  // and meta says "eval_weights": true, so that it goes with the weights of that moment.
  StateDict state_dict() const;
  // Restores a state_dict() of the same optimizer kind over parameters of the same shapes, and the
  // weight mode it was taken in; throws InvalidArgument naming the first mismatch and leaves this
  // optimizer unchanged then.
  void load_state_dict(const StateDict& state);

  // The diagonal of the rule's preconditioner (BasicOptimizer::preconditioner) over every
  // parameter in order, flattened; a parameter not stepped yet has 1s. Empty for rules without one.
  std::vector<double> preconditioner() const;
  // The float rule behind this optimizer.
  const BasicOptimizer<float>& rule() const { return *rule_; }

 private:
  // Points slices_ at the parameters (values, gradients where written, group scales).
  void fill_slices();

  std::unique_ptr<BasicOptimizer<float>> rule_;
  std::vector<Variable> params_;
  std::vector<std::size_t> group_of_;  // per parameter
  std::vector<double> group_scales_;
  std::vector<double> group_weight_decay_scales_;
  bool decay_all_ = false;
  std::vector<ParamSlice<float>> slices_;  // reused by step()
  bool eval_weights_ = false;
};

// Holds the evaluation weights in for its lifetime (Optimizer::use_eval_weights()), then puts the
// training weights back, unless the evaluation weights were already in when it began.
class EvalWeights {
 public:
  explicit EvalWeights(Optimizer& optimizer)
      : optimizer_(optimizer), switched_(!optimizer.holds_eval_weights()) {
    optimizer_.use_eval_weights();
  }
  ~EvalWeights() {
    if (switched_) optimizer_.use_train_weights();
  }
  EvalWeights(const EvalWeights&) = delete;
  EvalWeights& operator=(const EvalWeights&) = delete;

 private:
  Optimizer& optimizer_;
  bool switched_;
};

}  // namespace descent
