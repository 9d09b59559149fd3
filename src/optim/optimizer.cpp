#include "optim/optimizer.h"

#include <cmath>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "core/json_integer.h"
#include "optim/hyperparameter_checks.h"

namespace descent {

Optimizer::Optimizer(std::vector<Variable> params, std::unique_ptr<BasicOptimizer<float>> rule)
    : rule_(std::move(rule)) {
  if (!rule_) throw InvalidArgument("optimizer: no update rule given");
  add_param_group(std::move(params), 1.0);
}

Optimizer::~Optimizer() = default;

void Optimizer::add_param_group(std::vector<Variable> params, double lr_scale,
                                double weight_decay_scale) {
  if (!(std::isfinite(lr_scale) && lr_scale > 0))
    throw InvalidArgument(
        fmt::format("{}: lr_scale must be finite and > 0, got {}", name(), lr_scale));
  if (!(std::isfinite(weight_decay_scale) && weight_decay_scale >= 0))
    throw InvalidArgument(fmt::format("{}: weight_decay_scale must be finite and >= 0, got {}",
                                      name(), weight_decay_scale));
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!params[i].defined())
      throw InvalidArgument(fmt::format("{}: parameter {} of the group is undefined", name(), i));
    for (std::size_t j = 0; j < params_.size() + i; ++j) {
      const Variable& other = j < params_.size() ? params_[j] : params[j - params_.size()];
      if (other.node() == params[i].node())
        throw InvalidArgument(
            fmt::format("{}: parameter {} of the group is already being optimized", name(), i));
    }
  }
  const std::size_t group = group_scales_.size();
  group_scales_.push_back(lr_scale);
  group_weight_decay_scales_.push_back(weight_decay_scale);
  for (Variable& p : params) {
    params_.push_back(std::move(p));
    group_of_.push_back(group);
  }
  slices_.resize(params_.size());
}

double Optimizer::lr_scale(std::size_t group) const {
  if (group >= group_scales_.size())
    throw InvalidArgument(fmt::format("{}: no parameter group {} (there are {})", name(), group,
                                      group_scales_.size()));
  return group_scales_[group];
}

double Optimizer::weight_decay_scale(std::size_t group) const {
  lr_scale(group);  // checks the index
  return group_weight_decay_scales_[group];
}

std::size_t Optimizer::param_group(std::size_t param) const {
  if (param >= group_of_.size())
    throw InvalidArgument(
        fmt::format("{}: no parameter {} (there are {})", name(), param, group_of_.size()));
  return group_of_[param];
}

void Optimizer::exclude_low_rank_from_weight_decay() {
  if (decay_all_ || !rule_->decouples_weight_decay()) return;
  // The no-decay twin of each group, created when the group gives it its first parameter.
  std::vector<std::optional<std::size_t>> twin(group_scales_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const std::size_t group = group_of_[i];
    if (params_[i].value().rank() >= 2 || group_weight_decay_scales_[group] == 0) continue;
    if (!twin[group]) {
      twin[group] = group_scales_.size();
      group_scales_.push_back(group_scales_[group]);
      group_weight_decay_scales_.push_back(0.0);
    }
    group_of_[i] = *twin[group];
  }
}

nlohmann::json Optimizer::config() const {
  nlohmann::json out = rule_->config();
  if (decay_all_) out["decay_all"] = true;
  return out;
}

void Optimizer::fill_slices() {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Variable& p = params_[i];
    slices_[i].value = p.value().values();
    slices_[i].grad = p.has_grad() ? p.mutable_grad().values() : std::span<float>();
    slices_[i].lr_scale = group_scales_[group_of_[i]];
    slices_[i].weight_decay_scale = group_weight_decay_scales_[group_of_[i]];
  }
}

void Optimizer::step() {
  // A step from x would mix the two points for good.
  if (eval_weights_)
    throw InvalidArgument(fmt::format(
        "{}: step() while the parameters hold the evaluation weights: call use_train_weights() "
        "first",
        name()));
  fill_slices();
  rule_->step(slices_);
}

void Optimizer::use_eval_weights() {
  if (eval_weights_ || !rule_->eval_point_slot()) return;
  fill_slices();
  rule_->swap_eval_point(slices_);
  eval_weights_ = true;
}

void Optimizer::use_train_weights() {
  if (!eval_weights_) return;
  fill_slices();
  rule_->swap_eval_point(slices_);
  eval_weights_ = false;
}

std::vector<double> Optimizer::preconditioner() const {
  std::vector<double> diagonal;
  if (!rule_->has_preconditioner()) return diagonal;
  const auto& states = rule_->states();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const std::size_t start = diagonal.size();
    diagonal.resize(start + static_cast<std::size_t>(params_[i].value().size()), 1.0);
    if (i < states.size() && states[i].step > 0)
      rule_->preconditioner(states[i], std::span(diagonal).subspan(start));
  }
  return diagonal;
}

void Optimizer::zero_grad() {
  for (Variable& p : params_)
    p.zero_grad();
}

StateDict Optimizer::state_dict() const {
  StateDict out;
  out.meta["name"] = name();
  out.meta["config"] = config();
  out.meta["lr"] = lr();
  if (auto m = momentum()) out.meta["momentum"] = *m;
  out.meta["iterations"] = iterations();
  out.meta["lr_scales"] = group_scales_;
  out.meta["weight_decay_scales"] = group_weight_decay_scales_;
  out.meta["group_of"] = group_of_;
  const std::vector<std::string> slot_names = rule_->slot_names();
  nlohmann::json params = nlohmann::json::array();
  const auto& states = rule_->states();
  for (std::size_t i = 0; i < params_.size(); ++i) {
    nlohmann::json entry = {{"step", 0}, {"scalars", nlohmann::json::array()}};
    if (i < states.size()) {
      const ParamState<float>& s = states[i];
      entry["step"] = s.step;
      entry["scalars"] = s.scalars;
      for (std::size_t k = 0; k < s.slots.size(); ++k) {
        if (s.slots[k].empty()) continue;
        out.tensors.emplace(fmt::format("state.{}.{}", i, slot_names[k]),
                            Tensor(params_[i].shape(), s.slots[k]));
      }
    }
    params.push_back(std::move(entry));
  }
  out.meta["params"] = std::move(params);
  // Only the rules that keep optimizer-level scalars write them: the other checkpoints stay as
  // they were.
  if (!rule_->scalars().empty()) out.meta["scalars"] = rule_->scalars();
  if (eval_weights_) out.meta["eval_weights"] = true;
  return out;
}

void Optimizer::load_state_dict(const StateDict& state) {
  const nlohmann::json& meta = state.meta;
  try {
    if (meta.at("name").get<std::string>() != name())
      throw InvalidArgument(fmt::format("{}: cannot load the state of optimizer '{}'", name(),
                                        meta.at("name").get<std::string>()));
    const auto scales = meta.at("lr_scales").get<std::vector<double>>();
    // A state from before per-group weight decay: every group decayed fully, and its groups are
    // taken as saved (Model::compile may since have split off the parameters of rank < 2), so
    // that the run goes on as it was trained.
    const bool before_weight_decay_groups = !meta.contains("weight_decay_scales");
    const auto weight_decay_scales = before_weight_decay_groups
                                         ? std::vector<double>(scales.size(), 1.0)
                                         : meta["weight_decay_scales"].get<std::vector<double>>();
    const auto group_of =
        json_integers<std::size_t>(meta.at("group_of"), fmt::format("{} state's group_of", name()));
    const nlohmann::json& params = meta.at("params");
    if (params.size() != params_.size() || group_of.size() != params_.size())
      throw InvalidArgument(fmt::format("{}: saved state has {} parameters, this optimizer has {}",
                                        name(), params.size(), params_.size()));
    if (before_weight_decay_groups) {
      for (std::size_t g : group_of)
        if (g >= scales.size())
          throw InvalidArgument(fmt::format("{}: saved state puts a parameter in group {} of {}",
                                            name(), g, scales.size()));
    } else if (scales.size() != group_scales_.size() || group_of != group_of_) {
      throw InvalidArgument(fmt::format(
          "{}: saved state has {} parameter groups laid out differently from this optimizer's {}",
          name(), scales.size(), group_scales_.size()));
    }
    if (weight_decay_scales.size() != scales.size())
      throw InvalidArgument(fmt::format("{}: saved state has {} weight-decay scales for {} groups",
                                        name(), weight_decay_scales.size(), scales.size()));
    for (double s : weight_decay_scales)
      if (!(std::isfinite(s) && s >= 0))
        throw InvalidArgument(
            fmt::format("{}: saved weight-decay scale must be finite and >= 0, got {}", name(), s));
    const std::vector<std::string> slot_names = rule_->slot_names();
    std::vector<ParamState<float>> states(params_.size());
    for (std::size_t i = 0; i < params_.size(); ++i) {
      ParamState<float>& s = states[i];
      s.step = json_integer<std::int64_t>(params[i].at("step"),
                                          fmt::format("{} state's params[{}].step", name(), i));
      s.scalars = params[i].at("scalars").get<std::vector<double>>();
      if (s.step == 0 && s.scalars.empty()) {
        bool any_slot = false;
        for (const std::string& slot : slot_names)
          any_slot = any_slot || state.tensors.contains(fmt::format("state.{}.{}", i, slot));
        if (!any_slot) continue;
      }
      s.slots.resize(slot_names.size());
      for (std::size_t k = 0; k < slot_names.size(); ++k) {
        auto it = state.tensors.find(fmt::format("state.{}.{}", i, slot_names[k]));
        if (it == state.tensors.end()) continue;
        if (it->second.shape() != params_[i].shape())
          throw InvalidArgument(fmt::format("{}: saved {} has shape {}, the parameter has {}",
                                            name(), it->first, shape_string(it->second.shape()),
                                            shape_string(params_[i].shape())));
        const auto values = it->second.values();
        s.slots[k].assign(values.begin(), values.end());
      }
    }
    auto scalars = meta.contains("scalars") ? meta["scalars"].get<std::vector<double>>()
                                            : std::vector<double>();
    const bool eval_weights = meta.contains("eval_weights") && meta["eval_weights"].get<bool>();
    if (eval_weights && !rule_->eval_point_slot())
      throw InvalidArgument(fmt::format(
          "{}: saved state has eval_weights, but the rule keeps no such point", name()));
    const double lr = meta.at("lr").get<double>();
    const auto iterations = json_integer<std::int64_t>(
        meta.at("iterations"), fmt::format("{} state's iterations", name()));
    const std::optional<double> m =
        meta.contains("momentum") ? std::optional(meta["momentum"].get<double>()) : std::nullopt;
    if (m.has_value() != momentum().has_value())
      throw InvalidArgument(fmt::format("{}: saved state disagrees on having a momentum", name()));
    // Nothing changes unless everything is valid.
    check_learning_rate(name(), lr);
    const std::optional<double> old_momentum = momentum();
    if (m) rule_->set_momentum(*m);
    try {
      rule_->restore(iterations, std::move(states), std::move(scalars));
    } catch (...) {
      if (old_momentum) rule_->set_momentum(*old_momentum);
      throw;
    }
    rule_->set_lr(lr);
    group_scales_ = scales;
    group_weight_decay_scales_ = weight_decay_scales;
    group_of_ = group_of;
    eval_weights_ = eval_weights;
  } catch (const nlohmann::json::exception& e) {
    throw InvalidArgument(fmt::format("{}: malformed optimizer state: {}", name(), e.what()));
  }
}

}  // namespace descent
