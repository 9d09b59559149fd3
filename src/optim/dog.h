// DoG, "Distance over Gradients" (Ivgi, Hinder & Carmon, "DoG is SGD's Best Friend: A
// Parameter-Free Dynamic Step Size Schedule", ICML 2023), with the formulas of the reference
// implementation (github.com/formll/dog, src/dog/dog.py, class DoG, version 1.0.3): SGD whose
// step size is one statistic of all parameters, x the parameters as one vector,
//   g = g + λ·x                                     (L2 weight decay, λ > 0 only)
//   first step:  r̄ = reps_rel·(1 + ‖x0‖);  G = ‖g‖² + ε
//   later:       r̄ = max(r̄, ‖x − x0‖);     G = G + ‖g‖²
//   x = x − η·r̄/√G · g
// η (lr) is the paper's multiplier c, 1 by default, and η schedules scale it. init_eta, when
// set, is the first step size itself (η ignored then, r̄ starting at 0), as in the reference.
// Parameters without a gradient take no part in a step, norms and sums included (the reference
// requires every gradient). A group's lr_scale scales its η; the statistics are shared by all
// parameters, where the reference keeps them per group (the same for one group).
#pragma once

#include <optional>
#include <tuple>
#include <vector>

#include "core/variable.h"
#include "optim/basic_optimizer.h"
#include "optim/optimizer.h"

namespace descent {

struct DoGOptions {
  double lr = 1.0;                 // η, the multiplier c > 0
  double reps_rel = 1e-6;          // > 0: the first r̄ relative to 1 + ‖x0‖
  double eps = 1e-8;               // ε >= 0, added to G once
  std::optional<double> init_eta;  // the first step size (> 0), replacing reps_rel
  double weight_decay = 0.0;       // λ >= 0, L2
  ClipOptions clip = {};

  // The JSON keys of make_optimizer() and config().
  static constexpr auto fields() {
    return std::tuple{field("lr", &DoGOptions::lr),
                      field("reps_rel", &DoGOptions::reps_rel),
                      field("eps", &DoGOptions::eps),
                      field("init_eta", &DoGOptions::init_eta),
                      field("weight_decay", &DoGOptions::weight_decay),
                      nested_fields(&DoGOptions::clip)};
  }

  // Keras has no DoG: the same defaults.
  static DoGOptions keras() { return {}; }
};

template <std::floating_point T>
class BasicDoG final : public BasicOptimizer<T> {
 public:
  explicit BasicDoG(const DoGOptions& options = {});

  std::string name() const override { return "dog"; }
  nlohmann::json config() const override;
  std::vector<std::string> slot_names() const override { return {"x0"}; }

 protected:
  void init_state(ParamState<T>& state, std::size_t size) const override;
  bool prepare_step(std::span<const ParamSlice<T>> params,
                    std::span<ParamState<T>> states) override;
  void update(std::span<T> value, std::span<const T> grad, ParamState<T>& state, double lr,
              double weight_decay_scale) override;

 private:
  // scalars(): started (0 or 1), r̄, G.
  enum Scalar { kStarted, kRbar, kG };

  DoGOptions options_;
  // This step's size for η = 1 (r̄/√G), or init_eta on the first step; set by prepare_step().
  double step_size_ = 0;
  bool absolute_step_ = false;
};

extern template class BasicDoG<float>;
extern template class BasicDoG<double>;

class DoG final : public Optimizer {
 public:
  using Options = DoGOptions;
  explicit DoG(std::vector<Variable> params, const DoGOptions& options = {});
};

}  // namespace descent
