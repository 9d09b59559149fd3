// λmax during training, beside the threshold it cannot stay above: the edge of stability (Cohen,
// Kaur, Li, Kolter, Talwalkar, "Gradient descent on neural networks typically occurs at the edge of
// stability", ICLR 2021). Trained with gradient descent at step size η, a network's sharpness
// typically rises ("progressive sharpening") until it reaches 2/η, then hovers there while the
// loss keeps falling, non-monotonically. With heavy-ball momentum μ the threshold is 2(1 + μ)/η.
// Adam and AdamW precondition their step, w ← w − η·P⁻¹·m: there the sharpness that hovers at
// the edge is the preconditioned one, λmax(P⁻¹·H), against (2 + 2β1)/((1 − β1)·η) (Cohen et al.,
// "Adaptive gradient methods at the edge of stability", 2022), and that is what is tracked.
//
// A Callback: every `every` optimizer steps it estimates λmax exactly (estimate_sharpness with
// Hessian-vector products by automatic differentiation) on a fixed subset of the training data,
// and records it with the step's η and the threshold. The weights are left bitwise as they were,
// so training continues exactly as without it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "lr/sharpness.h"
#include "train/callback.h"

namespace descent {

struct SharpnessPoint {
  std::int64_t step = 0;  // optimizer steps done when measured
  double lr = 0.0;        // the η of that step
  double lambda_max = 0.0;
  double threshold = 0.0;  // stability_threshold(optimizer, lr)
  bool converged = false;
  bool preconditioned = false;  // λmax of P⁻¹·H, with the optimizer's preconditioner P
};

// (2 + 2β1)/((1 − β1)·η) for a rule with a preconditioner (Adam, AdamW); 2(1 + μ)/η for SGD with
// heavy-ball momentum μ (0: plain gradient descent, 2/η). Other optimizers get gradient descent's
// 2/η, a reference only.
double stability_threshold(const Optimizer& optimizer, double lr);
// How that threshold reads: "(2+2β1)/((1−β1)η)", "2(1+μ)/η" or "2/η".
std::string stability_threshold_formula(const Optimizer& optimizer);

class SharpnessTracker : public Callback {
 public:
  // `every` >= 1 (else InvalidArgument); `subset` is the fixed data the loss is averaged over;
  // each estimate runs at most `max_iters` power iterations to relative tolerance `tol`.
  SharpnessTracker(Dataset subset, std::int64_t every, int max_iters = 30, double tol = 1e-3);

  void on_train_begin(Model& model, const TrainParams& params) override;
  void on_step_end(Model& model, const StepRecord& step) override;

  const std::vector<SharpnessPoint>& points() const { return points_; }
  // Whether the estimates are of the training-mode loss (a model with BatchNormalization and no
  // dropout: each batch of the training size normalized by its own statistics) rather than of the
  // inference-mode one. Known from the start of training.
  bool batch_statistics() const { return options_.batch_statistics; }
  // "step,lr,lambda_max,threshold,converged,preconditioned"; IoError naming the path when it cannot
  // be written.
  void write_csv(const std::filesystem::path& path) const;

 private:
  void measure(Model& model, std::int64_t step, double lr);

  Dataset subset_;
  std::int64_t every_;
  SharpnessOptions options_;
  std::vector<SharpnessPoint> points_;
};

}  // namespace descent
