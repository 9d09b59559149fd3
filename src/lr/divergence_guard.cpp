#include "lr/divergence_guard.h"

#include "train/model.h"

namespace descent {

DivergenceGuard::DivergenceGuard(const VerdictRules& rules) : rules_(rules), check_(rules) {}

void DivergenceGuard::on_train_begin(Model& /*model*/, const TrainParams& /*params*/) {
  check_ = DivergenceCheck(rules_);
  reason_.reset();
}

void DivergenceGuard::on_step_end(Model& model, const StepRecord& step) {
  if (reason_) return;
  reason_ = check_.add(step.loss);
  if (reason_) model.stop_training = true;
}

}  // namespace descent
