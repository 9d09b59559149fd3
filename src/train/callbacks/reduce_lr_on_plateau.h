// ReduceLROnPlateau (Keras's callback): when the monitored figure has not improved by more than
// min_delta for `patience` epochs, multiplies the optimizer's η by `factor` (never below min_lr),
// then waits `cooldown` epochs before counting again. It acts on the optimizer's current η, so it
// stacks on whatever set it. For the schedule form, which composes with warmups and other
// schedules inside the η(t) function, see optim/schedule/reduce_lr_on_plateau.h.
#pragma once

#include "train/callback.h"
#include "train/callbacks/monitor.h"

namespace descent {

struct ReduceLROnPlateauCallbackOptions {
  std::string monitor = "val_loss";
  double factor = 0.1;
  int patience = 10;
  std::string mode = "auto";
  double min_delta = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;
};

class ReduceLROnPlateauCallback : public Callback {
 public:
  explicit ReduceLROnPlateauCallback(ReduceLROnPlateauCallbackOptions options = {});

  void on_train_begin(Model& model, const TrainParams& params) override;
  void on_epoch_end(Model& model, int epoch, Logs& logs) override;
  std::optional<StateDict> state_dict() const override;
  void load_state_dict(const Model& model, const StateDict& state) override;

 private:
  ReduceLROnPlateauCallbackOptions options_;
  Monitor monitor_;
  double best_ = 0.0;
  int wait_ = 0;
  int cooldown_left_ = 0;
};

}  // namespace descent
