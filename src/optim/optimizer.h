// Optimizer: the training-side optimizer that the train layer calls. It holds the model's
// Variables (float) in parameter groups and drives one BasicOptimizer<float>, which owns the
// update rule, η, the clipping and the per-parameter state. The named classes (SGD, Adam, ...)
// only pick the rule.
//
// Parameter groups: the constructor's parameters form group 0 with scale 1; add_param_group()
// adds a group whose η is the optimizer's η times its lr_scale. lr() / set_lr() always mean the
// optimizer's η (= group 0's), so a schedule that sets η moves every group in proportion.
//
// step() skips parameters without a gradient since the last zero_grad() (Variable::has_grad()),
// as PyTorch skips p.grad is None: no update, no weight decay, and their moments and step count
// do not advance; global-norm clipping leaves them out.
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

  // Adds parameters with η × lr_scale (lr_scale finite and > 0). Throws InvalidArgument for an
  // undefined Variable or one that the optimizer already holds.
  void add_param_group(std::vector<Variable> params, double lr_scale = 1.0);
  std::size_t num_param_groups() const { return group_scales_.size(); }
  double lr_scale(std::size_t group) const;
  // Every parameter, in group order.
  const std::vector<Variable>& params() const { return params_; }

  double lr() const { return rule_->lr(); }
  void set_lr(double lr) { rule_->set_lr(lr); }
  std::optional<double> momentum() const { return rule_->momentum(); }
  void set_momentum(double momentum) { rule_->set_momentum(momentum); }

  // Clips the gradients (in place), then applies the update rule to every parameter that has a
  // gradient.
  void step();
  // Marks every parameter's gradient as not written (nothing is zeroed or freed).
  void zero_grad();
  std::int64_t iterations() const { return rule_->iterations(); }

  std::string name() const { return rule_->name(); }
  nlohmann::json config() const { return rule_->config(); }

  // Everything needed to continue exactly: η, momentum, group scales, iteration and per-parameter
  // step counts, per-parameter and optimizer-level scalars (meta) and every moment /
  // accumulator (tensors named "state.<parameter index>.<slot name>", shaped like the parameter).
  StateDict state_dict() const;
  // Restores a state_dict() of the same optimizer kind over parameters of the same shapes; throws
  // InvalidArgument naming the first mismatch and leaves this optimizer unchanged then.
  void load_state_dict(const StateDict& state);

  // The float rule behind this optimizer.
  const BasicOptimizer<float>& rule() const { return *rule_; }

 private:
  std::unique_ptr<BasicOptimizer<float>> rule_;
  std::vector<Variable> params_;
  std::vector<std::size_t> group_of_;  // per parameter
  std::vector<double> group_scales_;
  std::vector<ParamSlice<float>> slices_;  // reused by step()
};

}  // namespace descent
