// Verdicts of a learning-rate sweep: what each η did to the training loss, by rules a person can
// check by hand from the per-step losses (docs/sweep.md), then, where there is validation data, a
// check that a run the training loss calls good also generalizes: the verdict is about
// optimization (did this η make the loss fall fast and steadily?) and about what that fall is
// worth on held-out data. The validation loss also picks the best η among the runs (lr/sweep.h).
//
// Terms, for a run with step losses ℓ_1 … ℓ_n (ℓ_1 is computed at the initial weights, before
// any update, so it is the same in every run of a sweep):
//   smoothed loss   S_t: exponential moving average with bias correction (lr/smoothing.h),
//                   m_t = β·m_{t−1} + (1 − β)·ℓ_t, S_t = m_t / (1 − β^t), β = `smoothing`
//   start level     L0(t): the mean of ℓ_1 … ℓ_k with k = min(t − 1, start_steps): the steps
//                   before t within the first `start_steps`
//   progress        P = ℓ_1 − S_n: how far the loss fell from the initial weights to the end
//   best            S_min = min_t S_t
//
// Verdicts, checked in this order:
//   diverged   at some step t: ℓ_t is NaN or infinite, or (t ≥ 2) S_t > diverge_factor · L0(t).
//              The sweep's divergence guard stops the run at that very step (DivergenceCheck is
//              the one definition both use).
//   too high   unstable: with θ = max(rise_of_progress · (ℓ_1 − S_min), rise_of_best · S_min),
//              the smoothed loss rose by more than θ within the second half of the run
//              (max of S_u − S_t over ⌊n/2⌋ < t ≤ u ≤ n: oscillation), or ended more than θ
//              above its best (S_n − S_min > θ).
//   then each remaining run is compared with the sweep's largest fall P_best: the largest
//   progress of any run that did not diverge, a too-high one included (the first such run on a
//   tie). When P < too_low_fraction · P_best:
//   too low    if its η is below that run's: the loss falls, but far slower;
//   too high   if its η is above: a larger step got stuck or bounced (e.g. dead ReLUs).
//              When no run reduced the loss at all (P_best ≤ 0), every remaining run is too low.
//   with validation losses V (the last epoch's val_loss of each run), V_best the lowest V of the
//   runs that did not diverge: a run still good whose V > val_loss_factor · V_best (or is not
//   finite) is
//   too low    if its η is below the V_best run's: it has not learned what that run learned;
//   too high   if its η is above: what its training loss gained does not hold on new data.
//   good       otherwise.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lr/smoothing.h"

namespace descent {

enum class Verdict { good, too_high, too_low, diverged };
// "good", "too high", "too low", "diverged".
std::string to_string(Verdict verdict);

// The thresholds of the rules above. validate() throws InvalidArgument for a value out of range.
struct VerdictRules {
  int start_steps = 10;               // >= 1
  double smoothing = 0.9;             // β in [0, 1)
  double diverge_factor = 1.5;        // > 1
  double rise_of_progress = 0.25;     // >= 0
  double rise_of_best = 0.1;          // >= 0
  double too_low_fraction = 2.0 / 3;  // in [0, 1]
  double val_loss_factor = 2.0;       // > 1

  void validate() const;
};

// The divergence rule, fed one step loss at a time: the sweep's guard calls it after every step
// to stop a run at once, and judge_runs() replays it over a finished run.
class DivergenceCheck {
 public:
  explicit DivergenceCheck(const VerdictRules& rules = {});

  // Takes the next step's loss. Returns why the run diverged when it did at this step or earlier,
  // e.g. "step 12: loss 9.31, smoothed 4.02 > 1.5 × start 2.3".
  std::optional<std::string> add(double loss);

 private:
  VerdictRules rules_;
  long step_ = 0;
  double start_sum_ = 0;          // sum of the first min(step, start_steps) losses
  BiasCorrectedAverage average_;  // S_t
  std::optional<std::string> diverged_;
};

struct RunJudgement {
  Verdict verdict;
  std::string reason;  // one line with the figures that decided
};

// One judgement per run: run i trained with lrs[i] and recorded step_losses[i] (its training loss
// at every optimizer step, as History::steps holds them) and final_val_losses[i] (its last
// validation loss; empty when the sweep has no validation data). Throws InvalidArgument when the
// sizes differ or a run has no steps.
std::vector<RunJudgement> judge_runs(const std::vector<double>& lrs,
                                     const std::vector<std::vector<double>>& step_losses,
                                     const VerdictRules& rules = {},
                                     const std::vector<double>& final_val_losses = {});

}  // namespace descent
