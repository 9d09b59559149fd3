// Sharpness: the top eigenvalue λmax of the Hessian of the training loss at the model's current
// weights, and the learning-rate bound it gives. On the local quadratic model of the loss, plain
// gradient descent multiplies the error along an eigenvector of curvature λ by (1 − ηλ) each step:
// it is stable for η < 2/λmax, and with heavy-ball momentum μ for η < 2(1 + μ)/λmax.
//
// The loss is the model's compiled loss, averaged over the whole set (the first `samples` samples,
// or all), plus the weight penalties the layers add (L2's curvature 2·l2 on every penalised weight;
// L1 has none wherever it is differentiable). Dropout is off (inference-mode forward), so the
// Hessian is that of a deterministic function of the weights. BatchNormalization normalizes with
// its running statistics, constants, unless SharpnessOptions::batch_statistics asks for the loss
// training minimises: each batch normalized by its own mean and variance, functions of the
// weights that the Hessian then differentiates through.
//
// Method: power iteration on curvature-vector products. By default they are exact Hessian-vector
// products from automatic differentiation (the gradient of ∇L · v, core/autograd.h). The older
// estimates stay as options: central differences of full-set gradients,
//   Hv ≈ (g(w + εv) − g(w − εv)) / 2ε,  ‖v‖ = 1,  ε = 1e-3 · max(‖w‖, 1),
// or of the outputs for the Gauss-Newton part (SharpnessCurvature below); there v is replaced by
// the direction actually realised in float32 ((fl(w + εv) − fl(w − εv))/2ε, computed exactly in
// double), so rounding the perturbed weights does not bias the Rayleigh quotient. Sums over
// batches are taken in double. The estimate after each step is the Rayleigh quotient vᵀHv / vᵀv.
// Power iteration finds the eigenvalue of largest magnitude: when it is negative (a saddle or a
// concave region), the iteration is run again on H + σI with σ = −(that eigenvalue), whose
// dominant eigenvalue is λmax + σ. docs/sharpness.md has the accuracy figures and the limits of
// the bound.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "train/model.h"

namespace descent {

// What the power iteration multiplies by. `exact`: the full Hessian, Hv by automatic
// differentiation (exact up to float32 rounding, also where ReLU or max-pooling switch: their
// second derivative is 0 there). `finite_difference`: the full Hessian, Hv from central
// differences of gradients. `gauss_newton`: its Gauss-Newton part G = Jᵀ H_ℓ J (J the outputs'
// Jacobian in the weights, H_ℓ the loss's Hessian in the outputs), Gv from central differences of
// the outputs and of the loss gradient in the outputs. Where ReLU or max-pooling switch, the
// gradient jumps and differences of gradients pick up noise that grows as ε shrinks (1/√(nε));
// the outputs are continuous there, so G stays accurate. G equals H for models linear in their
// weights (linear and softmax regression); for a network it leaves out the network's own curvature
// weighted by the loss gradient, which is largest at initialisation (docs/sharpness.md measures
// both: G's λmax 42% below H's at a ReLU MLP's initialisation, 1.6% below after 18 steps).
enum class SharpnessCurvature { exact, finite_difference, gauss_newton };
// "exact", "finite-difference", "gauss-newton" (the names of `descent sharpness --method`).
std::string to_string(SharpnessCurvature curvature);
std::optional<SharpnessCurvature> parse_sharpness_method(std::string_view name);

struct SharpnessOptions {
  std::int64_t samples = 0;        // 0: all samples; else the first `samples` (a fixed large batch)
  std::int64_t batch_size = 1024;  // gradients are accumulated over batches of this size
  int max_iters = 100;             // power iterations (in each phase when a shift is needed), or
                                   // Lanczos products when top > 1
  int top = 1;                     // eigenvalues wanted: 1 by power iteration, more by Lanczos
  double tol = 1e-4;               // stop when the estimate changes by less than tol, relatively
  std::uint64_t seed = 0;          // start vector
  int verbose = 1;                 // 0 silent, 1 one line per iteration on stderr
  SharpnessCurvature curvature = SharpnessCurvature::exact;
  // Empty: the eigenvalues of the curvature C itself. Else the diagonal P of an optimizer's
  // preconditioner (Optimizer::preconditioner, one value > 0 per weight): those of P⁻¹·C, computed
  // as the symmetric P^-½·C·P^-½, which has the same eigenvalues.
  std::vector<double> preconditioner = {};
  // BatchNormalization on each batch's own statistics (training mode; batches of batch_size), not
  // on its running statistics, which are left as they were. Refused for models with layers that
  // draw random numbers in training mode (dropout).
  bool batch_statistics = false;
};

struct SharpnessResult {
  double lambda_max = 0.0;        // top Hessian eigenvalue of the training loss at these weights
  std::vector<double> top;        // the `top` largest eigenvalues, largest first (λmax first)
  std::vector<double> estimates;  // λmax estimate after each power iteration (both phases) or
                                  // Lanczos product
  bool converged = false;         // the last phase met tol before max_iters
  std::int64_t samples = 0;       // samples the loss was averaged over
  std::string method;             // how it was computed, for a person
  // How λmax was computed (and so whether it is the Hessian's or the Gauss-Newton matrix's).
  SharpnessCurvature curvature = SharpnessCurvature::exact;

  // 2(1 + μ)/λmax, the largest stable η of heavy-ball gradient descent on the local quadratic
  // model (μ = 0: plain gradient descent); +∞ when λmax ≤ 0 (no curvature limits η there).
  // Throws InvalidArgument unless 0 ≤ μ < 1.
  double lr_bound(double momentum = 0) const;
  // {"lambda_max", "top_eigenvalues", "lr_bound", "momentum", "lr_bound_momentum", "estimates",
  //  "converged", "samples", "method", "curvature"}, with `momentum` the μ of lr_bound_momentum;
  //  non-finite numbers as null.
  nlohmann::json to_json(double momentum = 0) const;
};

// μ of the heavy-ball bound 2(1 + μ)/λmax for `optimizer`: SGD's momentum; 0 for the others,
// whose "momentum" (Adam's β1, ...) is not the heavy-ball coefficient of the bound.
double heavy_ball_momentum(const Optimizer& optimizer);

// Estimates λmax of `model`'s training loss on `data`. The model must be compiled (for its loss).
// Throws InvalidArgument on bad options (samples < 0 or more than data holds, batch_size < 1,
// max_iters < 1, tol < 0 or not finite, top < 1 or more than max_iters or the weights) or empty
// data, and Diverged when the loss is not finite at (or next to) these weights. The weights are
// unchanged on return (bitwise, also when it throws); gradients are left cleared (zero_grad), as
// after a training step.
SharpnessResult estimate_sharpness(Model& model, const Dataset& data,
                                   const SharpnessOptions& options);

// The estimates as CSV, "iteration,lambda_max" (one row per power iteration); IoError naming the
// path when it cannot be written.
void write_sharpness_csv(const SharpnessResult& result, const std::filesystem::path& path);

}  // namespace descent
