// DivergenceGuard: a callback that stops training at the step where the loss diverges, by the
// rule of lr/verdict.h (a non-finite loss, or the smoothed loss above 1.5 × the start level), so
// a run that blows up ends at once instead of training on garbage for the rest of its epochs.
#pragma once

#include <optional>
#include <string>

#include "lr/verdict.h"
#include "train/callback.h"

namespace descent {

class DivergenceGuard : public Callback {
 public:
  explicit DivergenceGuard(const VerdictRules& rules = {});

  void on_train_begin(Model& model, const TrainParams& params) override;
  void on_step_end(Model& model, const StepRecord& step) override;

  // Why the run was stopped, once it was.
  const std::optional<std::string>& reason() const { return reason_; }

 private:
  VerdictRules rules_;
  DivergenceCheck check_;
  std::optional<std::string> reason_;
};

}  // namespace descent
