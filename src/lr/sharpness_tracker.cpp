#include "lr/sharpness_tracker.h"

#include <fstream>

#include <fmt/format.h>

#include "core/error.h"

namespace descent {

double stability_threshold(const Optimizer& optimizer, double lr) {
  if (optimizer.rule().has_preconditioner()) {
    const double beta1 = optimizer.momentum().value_or(0.0);
    return (2.0 + 2.0 * beta1) / ((1.0 - beta1) * lr);
  }
  return 2.0 * (1.0 + heavy_ball_momentum(optimizer)) / lr;
}

std::string stability_threshold_formula(const Optimizer& optimizer) {
  if (optimizer.rule().has_preconditioner()) return "(2+2β1)/((1−β1)η)";
  return heavy_ball_momentum(optimizer) > 0 ? "2(1+μ)/η" : "2/η";
}

SharpnessTracker::SharpnessTracker(Dataset subset, std::int64_t every, int max_iters, double tol)
    : subset_(std::move(subset)), every_(every) {
  if (every < 1)
    throw InvalidArgument(fmt::format("sharpness tracking: every must be >= 1, got {}", every));
  options_.max_iters = max_iters;
  options_.tol = tol;
  options_.verbose = 0;
}

namespace {

// A model that normalizes by the batch minimises the loss of its training-mode forward: the
// tracker measures that one, on batches of the training size (sharpness.h), unless a layer draws
// random numbers there (dropout), which makes the loss not a function of the weights.
bool measures_batch_statistics(Model& model) {
  bool normalizes_by_batch = false;
  for (const auto& layer : model.layers()) {
    if (layer->random_stream()) return false;
    normalizes_by_batch = normalizes_by_batch || layer->type() == "BatchNormalization";
  }
  return normalizes_by_batch;
}

}  // namespace

void SharpnessTracker::on_train_begin(Model& model, const TrainParams& params) {
  options_.batch_statistics = measures_batch_statistics(model);
  if (options_.batch_statistics) options_.batch_size = params.batch_size;
  // The sharpness the run starts from (step 0), at the η its first step will use; a
  // preconditioned rule has no preconditioner before its first step.
  if (points_.empty() && !model.optimizer().rule().has_preconditioner())
    measure(model, 0, model.optimizer().lr());
}

void SharpnessTracker::on_step_end(Model& model, const StepRecord& step) {
  if (step.step % every_ == 0) measure(model, step.step, step.lr);
}

void SharpnessTracker::measure(Model& model, std::int64_t step, double lr) {
  options_.preconditioner = model.optimizer().preconditioner();
  const SharpnessResult r = estimate_sharpness(model, subset_, options_);
  points_.push_back({step, lr, r.lambda_max, stability_threshold(model.optimizer(), lr),
                     r.converged, !options_.preconditioner.empty()});
}

void SharpnessTracker::write_csv(const std::filesystem::path& path) const {
  std::ofstream out(path);
  out << "step,lr,lambda_max,threshold,converged,preconditioned\n";
  for (const SharpnessPoint& p : points_)
    out << fmt::format("{},{},{},{},{},{}\n", p.step, p.lr, p.lambda_max, p.threshold,
                       p.converged ? 1 : 0, p.preconditioned ? 1 : 0);
  if (!out) throw IoError(fmt::format("cannot write {}", path.string()));
}

}  // namespace descent
