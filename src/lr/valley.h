// Valley: an optimizer of descent run on a small test function from a given start, in float64,
// by the very code that trains networks (BasicOptimizer<double>), for several learning rates η at
// once, each run labelled. It shows the classic picture of gradient descent on a quadratic
// f(x) = (a/2)x²: x_{k+1} = (1 − ηa)·x_k converges for η < 2/a, oscillates for 1/a < η < 2/a and
// diverges for η > 2/a; with heavy-ball momentum μ the bound is 2(1 + μ)/a (Polyak, 1964; Goh,
// "Why momentum really works", Distill, 2017).
//
// Functions (all have minimum value f* = 0):
//   quadratic   (a/2)x²                        1-D, minimum 0
//   quartic     x⁴/4                           1-D, minimum 0 (no curvature there)
//   double-well (x² − 1)²                      1-D, minima ±1
//   elongated   (a/2)x² + (b/2)y²              2-D, minimum (0, 0)
//   rosenbrock  (1 − x)² + 100(y − x²)²        2-D, minimum (1, 1)
//   beale       (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²   2-D, minimum (3, 0.5)
//   himmelblau  (x² + y − 11)² + (x + y² − 7)²  2-D, four minima
//
// Labels, checked in this order (x* is the minimizer nearest the start, g the gradient norm):
//   diverged      an iterate or f became non-finite, f rose above 1e6·(|f0| + 1), or the run
//                 ended with f above f0 (the run stops at the first non-finite or too-large f);
//   oscillating   the step reversed direction at least once (Δx_k·Δx_{k−1} < 0, both steps
//                 longer than 1e-9·(‖x0 − x*‖ + 1e-12)) and the run ended closer to the nearest
//                 minimum than it started: it converges while overshooting;
//   converged     the final g < 1e-3·(g0 + 1e-12), or f − f* ≤ 1e-6·(f0 − f* + 1e-12);
//   barely moved  ‖x_end − x0‖ < 1e-3·‖x0 − x*‖;
//   slow          anything else: still descending when the steps ran out.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace descent {

enum class ValleyFunctionKind {
  quadratic,
  quartic,
  double_well,
  elongated,
  rosenbrock,
  beale,
  himmelblau
};

class ValleyFunction {
 public:
  // `name` as on the command line (quadratic, quartic, double-well, elongated, rosenbrock, beale,
  // himmelblau); a and b are the curvatures of quadratic / elongated (finite, > 0). Throws
  // InvalidArgument for an unknown name (listing the known ones) or a bad curvature.
  ValleyFunction(std::string_view name, double a = 1.0, double b = 10.0);

  ValleyFunctionKind kind() const { return kind_; }
  std::string name() const;
  // A formula for titles, e.g. "(1/2)x²".
  std::string formula() const;
  std::size_t dims() const;
  double value(std::span<const double> x) const;
  // ∇f at x into `grad` (dims() elements).
  void gradient(std::span<const double> x, std::span<double> grad) const;
  // The minimizers (f = 0 at each).
  std::vector<std::vector<double>> minima() const;
  // The minimizer nearest `x`.
  std::vector<double> nearest_minimum(std::span<const double> x) const;
  // A start that makes a good picture: 1, or 2 for double-well and (-1.5, 2) for rosenbrock...
  std::vector<double> default_start() const;
  // The largest curvature (Hessian eigenvalue), constant for quadratic (a) and elongated
  // (max(a, b)); empty for the others.
  std::optional<double> max_curvature() const;

 private:
  ValleyFunctionKind kind_;
  double a_, b_;
};

// The names ValleyFunction takes, in the order above.
const std::vector<std::string_view>& valley_function_names();

// The largest stable η for an optimizer on a function of constant curvature: for sgd (PyTorch or
// Keras convention, dampening τ, weight decay λ, momentum μ) on curvature L = max_curvature() + λ,
// heavy ball gives η < 2(1 + μ)/(L(1 − τ)) and Nesterov η < 2(1 + μ)/(L(1 − τ)(1 + 2μ)); plain
// GD 2/L. `config` is the optimizer's config(). Empty for other optimizers or functions.
std::optional<double> stable_lr_bound(const ValleyFunction& f, std::string_view optimizer,
                                      const nlohmann::json& config);

enum class ValleyLabel { converged, oscillating, diverged, barely_moved, slow };
// "converged", "oscillating", "diverged", "barely moved", "slow".
std::string to_string(ValleyLabel label);

struct ValleyPoint {
  int step = 0;
  std::vector<double> x;
  double f = 0.0, grad_norm = 0.0;
};

struct ValleyRun {
  double lr = 0.0;
  std::vector<ValleyPoint> points;  // step 0 (the start) to the last step run
  ValleyLabel label = ValleyLabel::slow;
};

// Runs `steps` steps of make_basic_optimizer<double>(optimizer, hyperparameters with "lr" = lr)
// from `start` (dims() values) and labels the run. Stops early when f turns non-finite or exceeds
// 1e6·(|f0| + 1). Throws InvalidArgument for a bad start (f not finite there too), lr (finite, >
// 0), steps (>= 1) or optimizer setting.
ValleyRun run_valley(const ValleyFunction& f, std::span<const double> start, int steps,
                     std::string_view optimizer, const nlohmann::json& hyperparameters, double lr);

// The label of a trajectory (rules in the file comment).
ValleyLabel label_valley_run(const ValleyFunction& f, const std::vector<ValleyPoint>& points);

// Long CSV: step,x[,y],f,grad_norm,lr, one row per point of every run. Throws IoError.
void write_valley_csv(const ValleyFunction& f, const std::vector<ValleyRun>& runs,
                      const std::filesystem::path& path);

}  // namespace descent
